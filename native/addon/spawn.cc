// Starting the executor (runt-exec) from node without ever running node's own binary
// inside a container: runt-exec is copied into a sealed memfd and the forked child
// execs that memfd at once, so /proc/<pid>/exe of every process that enters a container
// names an anonymous, immutable file (the CVE-2019-5736 defence).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon/addon.h"
#include "exec/protocol.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

namespace runt {

namespace {

struct SysFail {
  int err;
  const char *call;
};

int CloseKeepErrno(int fd) {
  int saved = errno;
  int rc = close(fd);
  errno = saved;
  return rc;
}

// Copy the executor into a sealed memfd and return a read-only descriptor of it
// (execve refuses a file that is open for writing: ETXTBSY).
int SealedExecutorCopy(const char *path, SysFail *fail) {
  int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) return *fail = {errno, "open"}, -1;
  struct stat st;
  if (fstat(src, &st) < 0) {
    *fail = {errno, "fstat"};
    CloseKeepErrno(src);
    return -1;
  }
  // MFD_EXEC is required where vm.memfd_noexec is set; older kernels reject the flag.
  int mem = memfd_create("runt-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mem < 0 && errno == EINVAL) mem = memfd_create("runt-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mem < 0) {
    *fail = {errno, "memfd_create"};
    CloseKeepErrno(src);
    return -1;
  }
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(mem, src, nullptr, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *fail = {n < 0 ? errno : EIO, "sendfile"};
      CloseKeepErrno(src);
      CloseKeepErrno(mem);
      return -1;
    }
    left -= n;
  }
  close(src);
  if (fcntl(mem, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
    *fail = {errno, "F_ADD_SEALS"};
    CloseKeepErrno(mem);
    return -1;
  }
  char proc_path[64];
  snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", mem);
  int ro = open(proc_path, O_RDONLY | O_CLOEXEC);
  if (ro < 0) *fail = {errno, "open memfd read-only"};
  CloseKeepErrno(mem);
  return ro;
}

// The ERROR frame the forked child sends when execveat fails; built before fork so the
// child only has to patch in errno and write it.
std::vector<char> ExecFailureFrame(const std::string &path) {
  std::string step = "execveat";
  uint32_t len = 8 + step.size() + 1 + path.size() + 1;
  std::vector<char> f(8 + len, 0);
  uint32_t type = RUNT_MSG_ERROR;
  memcpy(&f[0], &type, 4);
  memcpy(&f[4], &len, 4);
  memcpy(&f[16], step.c_str(), step.size() + 1);
  memcpy(&f[16 + step.size() + 1], path.c_str(), path.size() + 1);
  return f;
}

// Runs in the forked copy of node: async-signal-safe calls only, never returns.
[[noreturn]] void ExecExecutorChild(int exe_fd, const int *pass, int npass, char *const argv[], char *frame,
                                     size_t frame_len, int sync_fd) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  for (int i = 0; i < npass; i++) {
    if (pass[i] < 0) continue;
    int flags = fcntl(pass[i], F_GETFD);
    if (flags >= 0) fcntl(pass[i], F_SETFD, flags & ~FD_CLOEXEC);
  }
  char *const envp[] = {nullptr};
  syscall(SYS_execveat, exe_fd, "", argv, envp, AT_EMPTY_PATH);
  uint64_t err = errno;
  memcpy(frame + 8, &err, 8);
  ssize_t ignored = write(sync_fd, frame, frame_len);
  (void)ignored;
  _exit(127);
}

}  // namespace

// spawnExecutor(execPath, fifoFd, consoleSocketFd, preserveFds) -> { pid, syncFd }
// Forks `runt-exec <childSyncFd> <fifoFd> <consoleSocketFd>` from a sealed memfd copy.
// syncFd is the parent's end of the sync socketpair (close-on-exec).
static Napi::Value SpawnExecutor(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string exec_path = info[0].As<Napi::String>().Utf8Value();
  int fifo_fd = info[1].As<Napi::Number>().Int32Value();
  int console_fd = info[2].As<Napi::Number>().Int32Value();
  int preserve = info[3].As<Napi::Number>().Int32Value();
  if (preserve < 0) return ThrowErrno(env, EINVAL, "spawnExecutor: preserveFds");

  SysFail fail{0, nullptr};
  int exe = SealedExecutorCopy(exec_path.c_str(), &fail);
  if (exe < 0) return ThrowErrno(env, fail.err, fail.call, exec_path.c_str());

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    CloseKeepErrno(exe);
    return ThrowErrno(env, errno, "socketpair");
  }
  int parent_end = sv[0], child_end = sv[1];

  std::vector<std::string> arg_strings = {"runt-exec", std::to_string(child_end), std::to_string(fifo_fd),
                                          std::to_string(console_fd)};
  std::vector<char *> argv;
  for (auto &s : arg_strings) argv.push_back(&s[0]);
  argv.push_back(nullptr);
  // node marks even its stdio close-on-exec; the executor must inherit 0, 1 and 2
  std::vector<int> pass = {0, 1, 2, child_end, fifo_fd, console_fd};
  for (int i = 0; i < preserve; i++) pass.push_back(3 + i);
  std::vector<char> frame = ExecFailureFrame(exec_path);

  // Block every signal across fork so the child never runs one of node's handlers;
  // the executor resets the mask and the dispositions itself.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    ExecExecutorChild(exe, pass.data(), static_cast<int>(pass.size()), argv.data(), frame.data(), frame.size(),
                      child_end);
  }
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(exe);
  close(child_end);
  if (pid < 0) {
    close(parent_end);
    return ThrowErrno(env, fork_errno, "fork");
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, pid));
  out.Set("syncFd", Napi::Number::New(env, parent_end));
  return out;
}

void RegisterSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnExecutor", Napi::Function::New(env, SpawnExecutor));
}

}  // namespace runt
