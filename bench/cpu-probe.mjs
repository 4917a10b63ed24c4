// Preloaded with `node --import` into every process the benchmark measures (the fake upstream, the
// bare proxy and Z-AI itself), so Z-AI's own code stays untouched. Over the IPC channel that the
// bench opened it answers `{ type: 'probe', id }` with this process's CPU time (microsecond
// resolution, unlike the 10 ms ticks of /proc/<pid>/stat) and its peak RSS. When the bench goes
// away (even killed), the channel closes and the process exits, so no child outlives a run.
if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (message === null || typeof message !== 'object' || message.type !== 'probe') return;
    const usage = process.resourceUsage();
    process.send({
      type: 'probe',
      id: message.id,
      userUs: usage.userCPUTime,
      systemUs: usage.systemCPUTime,
      maxRssKb: usage.maxRSS,
    });
  });
  process.on('disconnect', () => process.exit(0));
  // The channel must not keep a process alive on its own.
  process.channel?.unref();
}
