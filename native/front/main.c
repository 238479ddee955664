/* bin/runt: the front-end of the fast path.
 *
 * A Node process costs tens of milliseconds before it runs a line of runt, so this small
 * program asks a warm planner (a long-lived `runt-planner`, src/planner/) to run the
 * command instead. The planner decides and writes everything; whenever the command must
 * start a process (the executor of create and exec), the planner asks us and we start it,
 * so the container's init is still a child of the caller's runtime process and is
 * reparented to the caller's subreaper exactly as on the direct path.
 *
 * When no planner answers (none running, a stale one, one busy past the bound, or a
 * command that needs a foreground runtime process) we exec the direct path, bin/runt-direct,
 * which is the reference behaviour. RUNT_PATH=direct forces it; RUNT_PATH=fast waits for a
 * planner to come up instead of going direct on the first call.
 *
 * Protocol: native/front/protocol.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "front/packet.h"
#include "front/spawn.h"

extern char **environ;

/* how long a planner may take to answer HELLO before we go direct */
#define DEFAULT_ANSWER_MS 1000
/* with RUNT_PATH=fast: how long to wait for a planner we just started */
#define START_WAIT_MS 5000

struct paths {
  char root[PATH_MAX];      /* the project: bin/runt is <root>/bin/runt */
  char direct[PATH_MAX];    /* <root>/bin/runt-direct */
  char planner[PATH_MAX];   /* <root>/bin/runt-planner */
  char build[PATH_MAX];     /* <root>/dist/planner.js, whose identity is the build's */
  char executor[PATH_MAX];  /* <root>/build/Release/runt-exec */
  char dir[PATH_MAX];       /* the planner's socket directory */
  char sock[PATH_MAX];      /* <dir>/planner.sock */
};

static char **args;
static struct paths P;
static pid_t planner_pid; /* the planner's pid (SO_PEERCRED), for the trace */

static void trace(const char *what, const char *detail) {
  const char *file = getenv("RUNT_PATH_TRACE");
  if (!file || !*file) return;
  int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  dprintf(fd, "%s%s%s\n", what, detail ? " " : "", detail ? detail : "");
  close(fd);
}

/* The direct path: node with the whole runtime, this call only. Never returns. The
 * caller's NODE_OPTIONS and NODE_EXTRA_CA_CERTS are not runt's: the first could load code
 * into a runtime that runs as root, the second costs every start tens of milliseconds
 * (runt makes no TLS connection). The command still sees them in its environment on the
 * fast path; nothing of runt passes them on. */
static void go_direct(const char *why) {
  trace("direct", why);
  unsetenv("NODE_OPTIONS");
  unsetenv("NODE_EXTRA_CA_CERTS");
  args[0] = "runt";
  execv(P.direct, args);
  fprintf(stderr, "runt: exec %s: %s\n", P.direct, strerror(errno));
  exit(127);
}

static int join(char *out, const char *a, const char *b) {
  int n = snprintf(out, PATH_MAX, "%s%s", a, b);
  return n > 0 && n < PATH_MAX ? 0 : -1;
}

static int find_paths(void) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return -1;
  exe[n] = '\0';
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
  }
  snprintf(P.root, sizeof P.root, "%s", exe);
  if (join(P.direct, P.root, "/bin/runt-direct") || join(P.planner, P.root, "/bin/runt-planner") ||
      join(P.build, P.root, "/dist/planner.js") || join(P.executor, P.root, "/build/Release/runt-exec"))
    return -1;
  const char *dir = getenv("RUNT_PLANNER_DIR");
  if (dir && *dir) {
    snprintf(P.dir, sizeof P.dir, "%s", dir);
  } else if (geteuid() == 0) {
    snprintf(P.dir, sizeof P.dir, "/run/runt-planner");
  } else {
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (!xdg || *xdg != '/') return -1;
    if (snprintf(P.dir, sizeof P.dir, "%s/runt-planner", xdg) >= (int)sizeof P.dir) return -1;
  }
  return join(P.sock, P.dir, "/planner.sock");
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Our planner's directory: ours, and nobody else may write it (else EPERM). */
static int dir_is_safe(void) {
  struct stat st;
  if (lstat(P.dir, &st) < 0) return 0;
  if (S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 022) == 0) return 1;
  errno = EPERM;
  return 0;
}

/* A connection to the planner whose peer runs as we do; -1 with errno otherwise. */
static int connect_planner(void) {
  if (!dir_is_safe()) return -1;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(P.sock) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, P.sock);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid()) {
    close(fd);
    errno = EPERM;
    return -1;
  }
  planner_pid = cred.pid;
  return fd;
}

/* Whether a planner started by us would serve the host's callers: we are in pid 1's
 * namespaces and root directory. A planner started from a private mount namespace (a
 * client that runs in one, a test's `unshare -m`) would turn every other caller away, so
 * such a caller takes the direct path and leaves the starting to others. Where pid 1 is
 * out of our sight (an unprivileged user), we cannot tell, and start one. */
static int like_pid1(void) {
  static const char *const ns[] = {"mnt", "pid", "net", "user", "ipc", "uts", "cgroup"};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    char mine[PATH_MAX], theirs[PATH_MAX], a[64], b[64];
    snprintf(a, sizeof a, "/proc/self/ns/%s", ns[i]);
    snprintf(b, sizeof b, "/proc/1/ns/%s", ns[i]);
    ssize_t m = readlink(a, mine, sizeof mine - 1);
    ssize_t t = readlink(b, theirs, sizeof theirs - 1);
    if (t < 0) return 1;
    if (m < 0) continue; /* a namespace this kernel does not have */
    if (m != t || memcmp(mine, theirs, (size_t)m) != 0) return 0;
  }
  struct stat root, theirs;
  if (stat("/", &root) == 0 && stat("/proc/1/root", &theirs) == 0 && (root.st_dev != theirs.st_dev || root.st_ino != theirs.st_ino))
    return 0;
  return 1;
}

/* Start a planner in the background, detached from us (its own session, our stdio
 * not kept, none of our descriptors), and go on at once. */
static void start_planner(void) {
  char path_env[PATH_MAX + 8], knobs[2][64];
  const char *path = getenv("PATH");
  snprintf(path_env, sizeof path_env, "PATH=%s", path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  char *envp[4] = {path_env, NULL, NULL, NULL};
  /* the planner's own settings pass on; nothing else of the caller's environment does */
  const char *names[2] = {"RUNT_PLANNER_IDLE_MS", "RUNT_PLANNER_PROCESSES"};
  for (int i = 0, n = 1; i < 2; i++) {
    const char *value = getenv(names[i]);
    if (!value || strlen(value) > 20) continue;
    snprintf(knobs[i], sizeof knobs[i], "%s=%s", names[i], value);
    envp[n++] = knobs[i];
  }
  char *argv[] = {"runt-planner", P.dir, NULL};
  pid_t pid = fork();
  if (pid < 0) return;
  if (pid == 0) {
    if (setsid() < 0 || fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(126);
    syscall(SYS_close_range, 3, ~0U, 0);
    if (chdir("/") < 0) _exit(126);
    umask(022);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(P.planner, argv, envp);
    _exit(127);
  }
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
}

/* "dev:ino:mtime:size" of dist/planner.js: a planner loaded from another build restarts */
static int build_id(char *out, size_t size) {
  struct stat st;
  if (stat(P.build, &st) < 0) return -1;
  snprintf(out, size, "%lu:%lu:%ld.%09ld:%ld", (unsigned long)st.st_dev, (unsigned long)st.st_ino, (long)st.st_mtim.tv_sec,
           (long)st.st_mtim.tv_nsec, (long)st.st_size);
  return 0;
}

static int send_packet(int sock, uint32_t type, const void *body, size_t len, const int *fds, int nfds) {
  char buf[512];
  if (len + 4 > sizeof buf) {
    errno = EMSGSIZE;
    return -1;
  }
  memcpy(buf, &type, 4);
  if (len) memcpy(buf + 4, body, len);
  return runt_packet_send(sock, buf, len + 4, fds, nfds);
}

/* HELLO and its answer: the packet type, or -1 on timeout/EOF/error */
static int handshake(int sock, char *why, size_t why_size) {
  char hello[128 + PATH_MAX];
  char id[128];
  if (build_id(id, sizeof id) < 0) return -1;
  int n = snprintf(hello, sizeof hello, "%s%c%s", RUNT_PLANNER_PROTOCOL, '\0', id);
  if (send_packet(sock, RUNT_FP_HELLO, hello, (size_t)n + 1, NULL, 0) < 0) return -1;
  const char *bound = getenv("RUNT_PLANNER_TIMEOUT_MS");
  int timeout = bound && *bound ? atoi(bound) : DEFAULT_ANSWER_MS;
  struct pollfd p = {sock, POLLIN, 0};
  int rc;
  do rc = poll(&p, 1, timeout); while (rc < 0 && errno == EINTR);
  if (rc <= 0) {
    snprintf(why, why_size, "no answer within %d ms", timeout);
    return -1;
  }
  char buf[256];
  int fds[RUNT_FP_MAX_FDS], nfds;
  ssize_t got = runt_packet_recv(sock, buf, sizeof buf - 1, fds, &nfds);
  for (int i = 0; i < nfds; i++) close(fds[i]);
  if (got < 4) {
    snprintf(why, why_size, "the planner hung up");
    return -1;
  }
  buf[got] = '\0';
  uint32_t type;
  memcpy(&type, buf, 4);
  snprintf(why, why_size, "%s", buf + 4);
  return (int)type;
}

/* REQUEST: umask, argv, environment, and our stdio */
static int send_request(int sock) {
  size_t cap = RUNT_FP_MAX_PACKET, len = 16;
  char *buf = malloc(cap);
  if (!buf) return -1;
  uint32_t type = RUNT_FP_REQUEST, argc = 0, envc = 0;
  mode_t mask = umask(0);
  umask(mask);
  uint32_t umask32 = (uint32_t)mask;
  for (char **a = args + 1; *a; a++) {
    size_t l = strlen(*a) + 1;
    if (len + l > cap) goto too_big;
    memcpy(buf + len, *a, l);
    len += l;
    argc++;
  }
  for (char **e = environ; *e; e++) {
    size_t l = strlen(*e) + 1;
    if (len + l > cap) goto too_big;
    memcpy(buf + len, *e, l);
    len += l;
    envc++;
  }
  memcpy(buf, &type, 4);
  memcpy(buf + 4, &umask32, 4);
  memcpy(buf + 8, &argc, 4);
  memcpy(buf + 12, &envc, 4);
  int stdio[3] = {0, 1, 2};
  int rc = runt_packet_send(sock, buf, len, stdio, 3);
  free(buf);
  return rc;
too_big:
  free(buf);
  errno = E2BIG;
  return -1;
}

static int32_t word(const char *body, size_t len, size_t i) {
  int32_t v = 0;
  if ((i + 1) * 4 <= len) memcpy(&v, body + i * 4, 4);
  return v;
}

/* WAIT pid nohang -> WAITED pid exited status signal errno */
static int answer_wait(int sock, const char *body, size_t len) {
  pid_t pid = word(body, len, 0);
  int nohang = word(body, len, 1);
  int st = 0;
  pid_t r;
  do r = waitpid(pid, &st, nohang ? WNOHANG : 0); while (r < 0 && errno == EINTR);
  int32_t out[5] = {r, 0, 0, 0, r < 0 ? errno : 0};
  if (r > 0) {
    out[1] = WIFEXITED(st);
    out[2] = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
    out[3] = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  }
  return send_packet(sock, RUNT_FP_WAITED, out, sizeof out, NULL, 0);
}

/* SPAWN preserve flags, fds sync [fifo] [console] -> SPAWNED pid errno step */
static int answer_spawn(int *sock, const char *body, size_t len, int *fds, int nfds) {
  struct executor_io io = {.preserve = word(body, len, 0), .sync = -1, .fifo = -1, .console = -1};
  int flags = word(body, len, 1);
  int k = 0;
  if (nfds > 0) io.sync = fds[k++];
  if ((flags & RUNT_FP_SPAWN_FIFO) && k < nfds) io.fifo = fds[k++];
  if ((flags & RUNT_FP_SPAWN_CONSOLE) && k < nfds) io.console = fds[k++];
  int complete = k == nfds;
  for (; k < nfds; k++) close(fds[k]);
  struct spawn_failure fail = {0, ""};
  pid_t pid = -1;
  if (io.sync < 0 || io.preserve < 0 || !complete) {
    fail.err = EPROTO;
    fail.step = "SPAWN message";
  } else {
    pid = spawn_executor(P.executor, &io, sock, &fail);
  }
  if (io.sync >= 0) close(io.sync);
  if (io.fifo >= 0) close(io.fifo);
  if (io.console >= 0) close(io.console);
  char out[128];
  int32_t head[2] = {pid, pid < 0 ? fail.err : 0};
  memcpy(out, head, sizeof head);
  int n = snprintf(out + 8, sizeof out - 8, "%s", fail.step);
  return send_packet(*sock, RUNT_FP_SPAWNED, out, 8 + (size_t)n + 1, NULL, 0);
}

/* Serve the planner until it says EXIT; returns the exit code. */
static int serve(int sock) {
  char buf[4096];
  for (;;) {
    int fds[RUNT_FP_MAX_FDS], nfds;
    ssize_t n = runt_packet_recv(sock, buf, sizeof buf, fds, &nfds);
    if (n < 4) {
      for (int i = 0; i < nfds; i++) close(fds[i]);
      /* the planner died mid-command: what it did is on disk, `delete --force` recovers */
      fprintf(stderr, "runt: the planner ended before the command finished (%s)\n", n < 0 ? strerror(errno) : "connection closed");
      return 1;
    }
    uint32_t type;
    memcpy(&type, buf, 4);
    const char *body = buf + 4;
    size_t len = (size_t)n - 4;
    int rc = 0;
    switch (type) {
      case RUNT_FP_EXIT:
        for (int i = 0; i < nfds; i++) close(fds[i]);
        return word(body, len, 0);
      case RUNT_FP_DIRECT:
        for (int i = 0; i < nfds; i++) close(fds[i]);
        close(sock);
        buf[n < (ssize_t)sizeof buf ? n : (ssize_t)sizeof buf - 1] = '\0';
        go_direct(body);
        break;
      case RUNT_FP_SPAWN:
        rc = answer_spawn(&sock, body, len, fds, nfds);
        break;
      case RUNT_FP_WAIT:
        for (int i = 0; i < nfds; i++) close(fds[i]);
        rc = answer_wait(sock, body, len);
        break;
      default:
        for (int i = 0; i < nfds; i++) close(fds[i]);
        fprintf(stderr, "runt: unexpected message %u from the planner\n", type);
        return 1;
    }
    if (rc < 0) {
      fprintf(stderr, "runt: talking to the planner: %s\n", strerror(errno));
      return 1;
    }
  }
}

int main(int argc, char **argv) {
  (void)argc;
  args = argv;
  if (find_paths() < 0) {
    /* no usable planner directory (an unprivileged user without XDG_RUNTIME_DIR) */
    if (!P.direct[0]) {
      fprintf(stderr, "runt: cannot find the runtime next to /proc/self/exe\n");
      return 127;
    }
    go_direct("no planner directory");
  }
  const char *mode = getenv("RUNT_PATH");
  int forced = mode && strcmp(mode, "fast") == 0;
  if (mode && strcmp(mode, "direct") == 0) go_direct("RUNT_PATH=direct");

  char why[256] = "";
  long deadline = 0, last_start = -1000;
  int sock;
  for (;;) {
    sock = connect_planner();
    int answer = -1;
    if (sock >= 0) {
      answer = handshake(sock, why, sizeof why);
      if (answer == RUNT_FP_READY) break;
      close(sock);
      if (answer == RUNT_FP_DIRECT) go_direct(why);
    } else {
      snprintf(why, sizeof why, "no planner (%s)", strerror(errno));
    }
    /* none, or stale (RESTART: it is exiting), or silent: start one for the next calls */
    if ((sock < 0 || answer == RUNT_FP_RESTART) && now_ms() - last_start >= 200) {
      if (!like_pid1()) go_direct("no planner for a caller outside pid 1's namespaces");
      start_planner();
      last_start = now_ms();
    }
    if (!forced || (answer == -1 && sock >= 0)) go_direct(why);
    if (deadline == 0) deadline = now_ms() + START_WAIT_MS;
    if (now_ms() > deadline) go_direct(why);
    usleep(2000);
  }
  if (send_request(sock) < 0) {
    close(sock);
    go_direct(errno == E2BIG ? "request too large" : "request not sent");
  }
  char served[32];
  snprintf(served, sizeof served, "%d", (int)planner_pid);
  trace("fast", served);
  return serve(sock);
}
