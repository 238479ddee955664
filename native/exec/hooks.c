/* The hooks that run inside the container (createContainer, startContainer): the init
 * forks each one in its own namespaces at the right step, feeds it the state JSON the
 * runtime sent, keeps the tail of its output for the error, and kills it at its timeout.
 * A failure is reported as step "<phase> hook", the hook's path, and a detail text. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"

#define TAIL 240

static const char *const PHASE_STEP[] = {"createContainer hook", "startContainer hook"};

/* "<phase>JSON\0" per phase, as the runtime sent them at HOOKS */
static const char *state_json[2];

void set_hook_states(char *payload, size_t len) {
  /* two NUL-terminated strings: the "creating" state, then the "created" one */
  char *second = memchr(payload, '\0', len);
  if (!second || len == 0 || payload[len - 1] != '\0' || second == payload + len - 1) fail(EPROTO, "sync", "bad HOOK_STATE");
  state_json[HOOK_CREATE_CONTAINER] = payload;
  state_json[HOOK_START_CONTAINER] = second + 1;
}

int has_hooks(int phase) {
  for (int i = 0; i < P.nhooks; i++)
    if (P.hooks[i].phase == phase) return 1;
  return 0;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* keep the last TAIL bytes the hook wrote */
static void keep_tail(char *tail, size_t *len, const char *buf, size_t n) {
  if (n >= TAIL) {
    memcpy(tail, buf + n - TAIL, TAIL);
    *len = TAIL;
    return;
  }
  if (*len + n > TAIL) {
    size_t drop = *len + n - TAIL;
    memmove(tail, tail + drop, *len - drop);
    *len -= drop;
  }
  memcpy(tail + *len, buf, n);
  *len += n;
}

/* the last non-blank line of the output, flattened */
static const char *last_line(char *tail, size_t len) {
  tail[len] = '\0';
  while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == ' ' || tail[len - 1] == '\r')) tail[--len] = '\0';
  char *nl = strrchr(tail, '\n');
  char *line = nl ? nl + 1 : tail;
  for (char *p = line; *p; p++)
    if (*p == '\t' || *p == '\r') *p = ' ';
  return line;
}

static __attribute__((noreturn)) void hook_failed(int err, const struct hook_op *h, const char *what, const char *output) {
  char detail[TAIL + 64];
  size_t at = 0, cap = sizeof detail - 1;
  for (const char *s = what; *s && at < cap; s++) detail[at++] = *s;
  if (*output) {
    for (const char *s = ": "; *s && at < cap; s++) detail[at++] = *s;
    for (const char *s = output; *s && at < cap; s++) detail[at++] = *s;
  }
  detail[at] = '\0';
  fail_detail(err, PHASE_STEP[h->phase], h->path, detail);
}

static __attribute__((noreturn)) void exec_hook(const struct hook_op *h, int in, int out, int report) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &dfl, NULL);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(127);
  if (report != 3 && dup3(report, 3, O_CLOEXEC) < 0) _exit(127);
  if (close_range(4, ~0U, 0) < 0) _exit(127);
  execve(h->path, h->args, h->env);
  int err = errno;
  (void)!write(3, &err, sizeof err);
  _exit(127);
}

static void run_hook(const struct hook_op *h) {
  const char *input = state_json[h->phase] ? state_json[h->phase] : "";
  size_t input_len = strlen(input), sent = 0;
  int in[2], out[2], report[2];
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) die("pipe", h->path);
  pid_t pid = fork();
  if (pid < 0) die("fork", h->path);
  if (pid == 0) exec_hook(h, in[0], out[1], report[1]);
  close(in[0]);
  close(out[1]);
  close(report[1]);

  int exec_err = 0;
  ssize_t got;
  do got = read(report[0], &exec_err, sizeof exec_err); while (got < 0 && errno == EINTR);
  close(report[0]);
  if (got == (ssize_t)sizeof exec_err) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    close(in[1]);
    close(out[0]);
    hook_failed(exec_err, h, "cannot execute", "");
  }

  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) die("pidfd_open", h->path);
  if (fcntl(in[1], F_SETFL, O_NONBLOCK) < 0 || fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) die("fcntl", h->path);
  /* seconds, capped (about three years) so the milliseconds cannot overflow */
  long long deadline = h->timeout ? now_ms() + (long long)(h->timeout > 100000000 ? 100000000 : h->timeout) * 1000 : 0;
  char tail[TAIL + 1], buf[4096];
  size_t tail_len = 0;
  int exited = 0, timed_out = 0;
  if (input_len == 0) {
    close(in[1]);
    in[1] = -1;
  }
  while (!exited) {
    struct pollfd p[3] = {{pidfd, POLLIN, 0}, {out[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
    int timeout = -1;
    if (deadline) {
      long long left = deadline - now_ms();
      if (left <= 0) {
        timed_out = 1;
        break;
      }
      timeout = left > 1 << 30 ? 1 << 30 : (int)left;
    }
    int rc = poll(p, in[1] >= 0 ? 3 : 2, timeout);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) die("poll", h->path);
    if (p[1].revents) {
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n > 0) keep_tail(tail, &tail_len, buf, (size_t)n);
      else if (n == 0 || errno != EAGAIN) { /* EOF: the hook (and its children) closed it */
        close(out[0]);
        out[0] = -1;
      }
    }
    if (in[1] >= 0 && p[2].revents) {
      ssize_t n = write(in[1], input + sent, input_len - sent);
      if (n > 0) sent += (size_t)n;
      /* EPIPE: the hook did not read all of its input, which is not a failure */
      if (sent == input_len || (n < 0 && errno != EAGAIN)) {
        close(in[1]);
        in[1] = -1;
      }
    }
    if (p[0].revents) exited = 1;
    if (out[0] < 0 && !exited) { /* no more output: wait for the exit alone */
      struct pollfd q = {pidfd, POLLIN, 0};
      long long left = deadline ? deadline - now_ms() : -1;
      if (deadline && left <= 0) {
        timed_out = 1;
        break;
      }
      rc = poll(&q, 1, left > 1 << 30 ? 1 << 30 : (int)left);
      if (rc < 0 && errno == EINTR) continue;
      if (rc < 0) die("poll", h->path);
      if (rc == 0) timed_out = 1;
      break;
    }
  }
  if (timed_out) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) die("waitpid", h->path);
  if (out[0] >= 0) { /* whatever is left in the pipe, without waiting for its writers */
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) keep_tail(tail, &tail_len, buf, (size_t)n);
    close(out[0]);
  }
  if (in[1] >= 0) close(in[1]);
  close(pidfd);
  const char *line = last_line(tail, tail_len);
  if (timed_out) {
    char secs[21], what[64] = "timed out after ";
    strcat(strcat(what, format_u64(secs, h->timeout)), "s");
    hook_failed(ETIMEDOUT, h, what, "");
  }
  if (WIFSIGNALED(status)) {
    char num[21], what[48] = "killed by signal ";
    hook_failed(0, h, strcat(what, format_u64(num, (uint64_t)WTERMSIG(status))), line);
  }
  if (WEXITSTATUS(status) != 0) {
    char num[21], what[48] = "exit status ";
    hook_failed(0, h, strcat(what, format_u64(num, (uint64_t)WEXITSTATUS(status))), line);
  }
}

void run_hooks(int phase) {
  if (!has_hooks(phase)) return;
  /* a hook that closes its stdin early must not kill the init with SIGPIPE */
  struct sigaction ign, old;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  if (sigaction(SIGPIPE, &ign, &old) < 0) die("sigaction", "SIGPIPE");
  for (int i = 0; i < P.nhooks; i++)
    if (P.hooks[i].phase == phase) run_hook(&P.hooks[i]);
  if (sigaction(SIGPIPE, &old, NULL) < 0) die("sigaction", "SIGPIPE");
}
