// Starting the executor (runt-exec) from node without ever running node's own binary
// inside a container: the sealed-memfd exec of front/executor.h (the CVE-2019-5736
// defence), forked from node with every signal blocked.
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon/addon.h"
extern "C" {
#include "front/executor.h"
}

namespace runt {

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

  struct spawn_failure fail = {0, nullptr};
  int exe = runt_sealed_executor(exec_path.c_str(), 0, &fail);
  if (exe < 0) return ThrowErrno(env, fail.err, fail.step, exec_path.c_str());

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    runt_close_keep_errno(exe);
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
  std::vector<char> frame(exec_path.size() + 64);
  size_t frame_len = runt_exec_failure_frame(exec_path.c_str(), frame.data(), frame.size());

  // Block every signal across fork so the child never runs one of node's handlers;
  // the executor resets the mask and the dispositions itself.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    runt_exec_executor_child(exe, pass.data(), static_cast<int>(pass.size()), argv.data(), frame.data(), frame_len,
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
