# The product image: the same `npm start` entry as on a laptop, configured by environment.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    IBM_TELEMETRY_DISABLED=true \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The web UI is built into the image: at run time /app is not writable for the app's user.
RUN npm run build:ui
# The engine threads' module, bundled while /app is writable (src/engine/embedded/worker-bundle.ts).
RUN node --import tsx src/engine/embedded/worker-bundle.ts
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The node flags of `npm start`: heap limits, no pretenuring (see README, "Memory").
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=512", "--no-allocation-site-pretenuring", "--import", "tsx", "src/main.ts"]
