/* Execution attributes of the process, applied while it still has the runtime's
 * privileges (before the user and capabilities change) and inherited by what it execs:
 * personality, NUMA memory policy, I/O priority, scheduling policy. The numbers were
 * checked in TypeScript (src/plan/process-attributes.ts); the kernel has the last word. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec.h"

#define IOPRIO_WHO_PROCESS 1

/* struct sched_attr of sched_setattr(2), the size with the utilization clamps */
struct sched_attr_v1 {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};

static void apply_personality(void) {
  if (!P.has_personality) return;
  if (personality((unsigned long)P.personality) < 0) die("personality", "/linux/personality");
}

static void apply_memory_policy(void) {
  if (!P.has_mempolicy) return;
  int mode = (int)(P.mempolicy_mode | P.mempolicy_flags);
  unsigned long maxnode = MAX_NUMA_NODES + 1; /* the kernel reads maxnode - 1 bits */
  int any = 0;
  for (size_t i = 0; i < sizeof P.mempolicy_nodes / sizeof P.mempolicy_nodes[0]; i++) any |= P.mempolicy_nodes[i] != 0;
  if (syscall(SYS_set_mempolicy, mode, any ? P.mempolicy_nodes : NULL, any ? maxnode : 0) < 0)
    die("set_mempolicy", "/linux/memoryPolicy");
}

static void apply_io_priority(void) {
  if (!P.has_ioprio) return;
  if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)P.ioprio) < 0) die("ioprio_set", "/process/ioPriority");
}

static void apply_scheduler(void) {
  if (!P.has_scheduler) return;
  struct sched_attr_v1 attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.sched_policy = (uint32_t)P.sched[0];
  attr.sched_nice = (int32_t)(int64_t)P.sched[1];
  attr.sched_priority = (uint32_t)P.sched[2];
  attr.sched_flags = P.sched[3];
  attr.sched_runtime = P.sched[4];
  attr.sched_deadline = P.sched[5];
  attr.sched_period = P.sched[6];
  if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) die("sched_setattr", "/process/scheduler");
}

void apply_process_attributes(void) {
  apply_personality();
  apply_memory_policy();
  apply_io_priority();
  apply_scheduler();
}
