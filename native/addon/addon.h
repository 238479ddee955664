// The N-API glue of runt's addon. Each file registers the functions it exports.
#pragma once
#include <napi.h>
#include <poll.h>

namespace runt {
// Throw a JS Error carrying the errno as .code (e.g. "ENOENT") and .syscall; detail (e.g. a
// verifier log) is appended to the message.
Napi::Value ThrowErrno(Napi::Env env, int err, const char *syscall, const char *path = nullptr, const char *detail = nullptr);

// poll(2) that keeps its deadline across signals (a profiler's SIGPROF must not restart
// the whole wait): the count of ready fds, 0 after timeoutMs (< 0: no limit), -1 with errno
int PollWithin(struct pollfd *fds, unsigned long nfds, int timeoutMs);

void RegisterFiles(Napi::Env env, Napi::Object exports);
void RegisterSpawn(Napi::Env env, Napi::Object exports);
void RegisterProcess(Napi::Env env, Napi::Object exports);
void RegisterSockets(Napi::Env env, Napi::Object exports);
void RegisterPty(Napi::Env env, Napi::Object exports);
void RegisterBpf(Napi::Env env, Napi::Object exports);
void RegisterSeccomp(Napi::Env env, Napi::Object exports);
void RegisterPlanner(Napi::Env env, Napi::Object exports);
}  // namespace runt
