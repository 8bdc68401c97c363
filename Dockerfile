# One image for every service; compose.yaml picks the service with the command.
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install --global pnpm@12.4.2
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.json ./
COPY db/package.json db/
COPY shared/package.json shared/
COPY pe/package.json pe/
COPY origination/package.json origination/
COPY gateway/package.json gateway/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile
COPY db db
COPY shared shared
COPY pe pe
COPY origination origination
COPY gateway gateway
RUN pnpm build
ENV NODE_ENV=production
USER node
CMD ["node", "--enable-source-maps", "pe/dist/main.mjs"]
