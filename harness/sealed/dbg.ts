import { GradedSide } from "./host";
(async () => {
  const t0 = Date.now();
  try {
    const side = await GradedSide.start({ seed: 1, layers: { raft: "reference" }, loadTimeoutMs: 20000, memoryMb: 512, user: process.env.NOBODY ? { uid: 65534, gid: 65534 } : undefined });
    console.log("started in", Date.now() - t0, (side as any).loaded);
    await side.close();
    console.log("closed");
  } catch (e) { console.log("failed", e); }
})();
