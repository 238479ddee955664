/* The front-end starts the executor for the planner (SPAWN): the same sealed-memfd exec as
 * the addon (front/executor.h), with the descriptors the planner sent, our stdio and the
 * caller's preserved fds 3 .. 3+preserve-1. */
#ifndef RUNT_FRONT_SPAWN_H
#define RUNT_FRONT_SPAWN_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "front/executor.h"

struct executor_io {
  int preserve; /* the caller's fds 3 .. 3+preserve-1 go on to the container */
  int sync;     /* the executor's end of the planner's sync socket */
  int fifo;     /* O_PATH fd of the exec fifo, or -1 */
  int console;  /* the connected --console-socket, or -1 */
};

/* Move *fd to a number >= min (close-on-exec), so it cannot land among the preserved fds. */
static inline int runt_lift_fd(int *fd, int min) {
  if (*fd < 0 || *fd >= min) return 0;
  int high = fcntl(*fd, F_DUPFD_CLOEXEC, min);
  if (high < 0) return -1;
  close(*fd);
  *fd = high;
  return 0;
}

/* Fork and exec `runt-exec <sync> <fifo> <console>`; the executor's pid, or -1 with *fail.
 * *sock (our planner connection) is lifted out of the preserved range too. */
static inline pid_t spawn_executor(const char *path, struct executor_io *io, int *sock, struct spawn_failure *fail) {
  int min = 3 + io->preserve;
  if (runt_lift_fd(sock, min) < 0 || runt_lift_fd(&io->sync, min) < 0 || runt_lift_fd(&io->fifo, min) < 0 ||
      runt_lift_fd(&io->console, min) < 0) {
    *fail = (struct spawn_failure){errno, "F_DUPFD_CLOEXEC"};
    return -1;
  }
  int exe = runt_sealed_executor(path, min, fail);
  if (exe < 0) return -1;
  char frame[PATH_MAX + 64];
  size_t frame_len = runt_exec_failure_frame(path, frame, sizeof frame);
  char sync_s[16], fifo_s[16], console_s[16];
  snprintf(sync_s, sizeof sync_s, "%d", io->sync);
  snprintf(fifo_s, sizeof fifo_s, "%d", io->fifo);
  snprintf(console_s, sizeof console_s, "%d", io->console);
  char *argv[] = {"runt-exec", sync_s, fifo_s, console_s, NULL};
  /* stdio, the sync socket, fifo and console, then the preserved fds */
  int nkeep = 6 + io->preserve;
  int keep[nkeep];
  int base[6] = {0, 1, 2, io->sync, io->fifo, io->console};
  for (int i = 0; i < 6; i++) keep[i] = base[i];
  for (int i = 0; i < io->preserve; i++) keep[6 + i] = 3 + i;

  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) runt_exec_executor_child(exe, keep, nkeep, argv, frame, frame_len, io->sync);
  int fork_errno = errno;
  sigprocmask(SIG_SETMASK, &old, NULL);
  close(exe);
  if (pid < 0) *fail = (struct spawn_failure){fork_errno, "fork"};
  return pid;
}

#endif
