// Which module may import which: `pnpm lint` runs this beside biome. Biome already refuses import cycles;
// this file keeps the floors pointing down, inside PE and between the packages.

// PE's features: each one an API or a job of its own. None may import another; what two of them share
// sits on a floor below them.
const PE_FEATURES = [
  "agreements",
  "business-date",
  "calendar",
  "clients",
  "cob",
  "decisions",
  "disbursement",
  "loans",
  "payments",
  "products",
];
const peFeature = `^pe/src/(${PE_FEATURES.join("|")})/`;
// The calendar feature's pure working-day module and its loader are a floor that lives in the feature's
// folder: due dates are computed wherever a schedule is (agreements, the daily job, servicing), so every
// feature and floor may import these two files, and they import only floors.
const peCalendarFloor = "^pe/src/calendar/(working-days|calendar\\.repository)\\.ts$";
// PE's wiring sits above every feature: it mounts their routes and runs their jobs.
const peWiring = "^pe/src/(app|service|openapi|main)\\.ts$";

// The packages, lowest first. A package may import only from its own floor or below.
const SERVICES = "(pe|origination|gateway)";
// The launcher (`pnpm start`) stands on the console and db, beside e2e: neither imports the other.
const ABOVE = {
  db: `^(shared|contracts|${SERVICES}|console|launcher|e2e|bench)/`,
  shared: `^(contracts|${SERVICES}|console|launcher|e2e|bench)/`,
  contracts: `^(${SERVICES}|console|launcher|e2e|bench)/`,
  service: "^(console|launcher|e2e|bench)/",
  console: "^(launcher|e2e|bench)/",
  launcher: "^(e2e|bench)/",
  e2e: "^(launcher|bench)/",
};

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "pe-feature-to-feature",
      comment: "A PE feature imports no other feature: move what they share down to a floor (lifecycle/, storage…)",
      severity: "error",
      from: { path: peFeature },
      to: { path: peFeature, pathNot: ["^pe/src/$1/", peCalendarFloor] },
    },
    {
      name: "pe-floor-to-feature",
      comment:
        "PE's floors (lifecycle/, servicing/, servicing-store/, records/, http/, schedules/, db, …) stand under the features",
      severity: "error",
      from: { path: "^pe/src/", pathNot: [peFeature, peWiring] },
      to: { path: `${peFeature}|${peWiring}`, pathNot: peCalendarFloor },
    },
    {
      name: "pe-calendar-floor-points-down",
      comment: "The calendar's working-day module and loader are a floor: they import no feature and no wiring",
      severity: "error",
      from: { path: peCalendarFloor },
      to: { path: `${peFeature}|${peWiring}`, pathNot: peCalendarFloor },
    },
    {
      name: "service-to-service",
      comment: "A service imports no other service: what they share is in contracts/, shared/ or db/",
      severity: "error",
      from: { path: `^${SERVICES}/` },
      to: { path: `^${SERVICES}/`, pathNot: "^$1/" },
    },
    {
      name: "db-points-down",
      comment: "db/ is the lowest floor",
      severity: "error",
      from: { path: "^db/" },
      to: { path: ABOVE.db },
    },
    {
      name: "shared-points-down",
      severity: "error",
      from: { path: "^shared/" },
      to: { path: ABOVE.shared },
    },
    {
      name: "contracts-point-down",
      severity: "error",
      from: { path: "^contracts/" },
      to: { path: ABOVE.contracts },
    },
    {
      name: "service-points-down",
      comment: "A service stands under the console, the end-to-end tests and the benchmarks",
      severity: "error",
      from: { path: `^${SERVICES}/` },
      to: { path: ABOVE.service },
    },
    {
      name: "console-points-down",
      severity: "error",
      from: { path: "^console/" },
      to: { path: ABOVE.console },
    },
    {
      name: "launcher-points-down",
      severity: "error",
      from: { path: "^launcher/" },
      to: { path: ABOVE.launcher },
    },
    {
      name: "e2e-points-down",
      severity: "error",
      from: { path: "^e2e/" },
      to: { path: ABOVE.e2e },
    },
    // A test-kit is what other packages' tests build on: it imports only its own package or those below it.
    ...Object.entries({
      db: "db",
      shared: "shared",
      contracts: "contracts",
      service: SERVICES,
      console: "console",
    }).map(([floor, pkg]) => ({
      name: `test-kit-points-down-${floor}`,
      severity: "error",
      from: { path: `^${pkg}/test-kit/` },
      to: { path: ABOVE[floor] },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|generated)/|\\.data/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
