# One image for every service; compose.yaml picks the service with the command.
#
# The build stage installs everything, bundles the services (pnpm build) and then lays out, per service,
# a tree with its production dependencies only (pnpm deploy --prod): no compiler, no test tools, and no
# embedded PostgreSQL (a development dependency of @loans/db). The final stage copies those trees alone.
FROM node:24-bookworm-slim AS build
WORKDIR /src
RUN npm install --global pnpm@12.4.2
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.json .npmrc ./
# Every workspace manifest, so the frozen install matches the lockfile.
COPY db/package.json db/
COPY shared/package.json shared/
COPY contracts/package.json contracts/
COPY pe/package.json pe/
COPY origination/package.json origination/
COPY gateway/package.json gateway/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
COPY console/package.json console/
COPY launcher/package.json launcher/
RUN pnpm install --frozen-lockfile
COPY . .
# A service is a workspace folder with src/main.ts; each gets /out/<name> with its bundle.
RUN pnpm build \
 && for main in */src/main.ts; do \
      s="${main%%/*}"; \
      pnpm --filter "./$s" deploy --prod "/out/$s" && cp -r "$s/dist" "/out/$s/dist" \
      && rm -rf "/out/$s/test" "/out/$s/src"; \
    done

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=node:node /out ./
USER node
CMD ["node", "--enable-source-maps", "--max-semi-space-size=8", "--max-old-space-size=512", "pe/dist/main.mjs"]
