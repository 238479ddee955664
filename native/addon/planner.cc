// The planner's side of the fast path (src/planner/): a listening SOCK_SEQPACKET socket,
// the peer's credentials, and packets that carry several descriptors.
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "addon/addon.h"
#include "front/packet.h"

namespace runt {

// seqpacketListen(path, backlog) -> fd: bound to path, listening, close-on-exec and
// non-blocking (several planners may poll the same socket; one of them wins accept)
static Napi::Value SeqpacketListen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int backlog = info[1].As<Napi::Number>().Int32Value();
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return ThrowErrno(env, ENAMETOOLONG, "bind", path.c_str());
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ThrowErrno(env, errno, "socket", path.c_str());
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) < 0 || listen(fd, backlog) < 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, "bind", path.c_str());
  }
  return Napi::Number::New(env, fd);
}

// acceptPacket(listenFd) -> fd of the connection (blocking, close-on-exec), or null when
// none is pending
static Napi::Value AcceptPacket(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  do fd = accept4(info[0].As<Napi::Number>().Int32Value(), nullptr, nullptr, SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)) return env.Null();
  if (fd < 0) return ThrowErrno(env, errno, "accept4");
  return Napi::Number::New(env, fd);
}

// peerCred(fd) -> { pid, uid, gid } of the process at the other end (SO_PEERCRED)
static Napi::Value PeerCred(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(info[0].As<Napi::Number>().Int32Value(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return ThrowErrno(env, errno, "getsockopt SO_PEERCRED");
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

// sendPacket(fd, bytes, fds[]): one packet with the descriptors attached
static Napi::Value SendPacket(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<char> bytes = info[1].As<Napi::Buffer<char>>();
  Napi::Array list = info[2].As<Napi::Array>();
  int fds[RUNT_FP_MAX_FDS];
  int nfds = static_cast<int>(list.Length());
  if (nfds > RUNT_FP_MAX_FDS) return ThrowErrno(env, EINVAL, "sendPacket: too many descriptors");
  for (int i = 0; i < nfds; i++) fds[i] = list.Get(i).As<Napi::Number>().Int32Value();
  if (runt_packet_send(sock, bytes.Data(), bytes.Length(), fds, nfds) < 0) return ThrowErrno(env, errno, "sendmsg");
  return env.Undefined();
}

// recvPacket(fd) -> { bytes, fds }: the next packet (bytes empty at EOF) and the
// descriptors that came with it (close-on-exec)
static Napi::Value RecvPacket(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  std::string buf(RUNT_FP_MAX_PACKET, '\0');
  int fds[RUNT_FP_MAX_FDS];
  int nfds = 0;
  ssize_t n = runt_packet_recv(sock, &buf[0], buf.size(), fds, &nfds);
  if (n < 0) return ThrowErrno(env, errno, "recvmsg");
  Napi::Object out = Napi::Object::New(env);
  out.Set("bytes", Napi::Buffer<char>::Copy(env, buf.data(), static_cast<size_t>(n)));
  Napi::Array list = Napi::Array::New(env, nfds);
  for (int i = 0; i < nfds; i++) list.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
  out.Set("fds", list);
  return out;
}

// pollFirst(fds, timeoutMs) -> the index of the first fd readable (or at EOF), or -1
// after timeoutMs
static Napi::Value PollFirst(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Array list = info[0].As<Napi::Array>();
  int timeout = info[1].As<Napi::Number>().Int32Value();
  struct pollfd p[RUNT_FP_MAX_FDS];
  nfds_t n = list.Length();
  if (n > RUNT_FP_MAX_FDS) return ThrowErrno(env, EINVAL, "pollFirst: too many descriptors");
  for (nfds_t i = 0; i < n; i++) p[i] = {list.Get(i).As<Napi::Number>().Int32Value(), POLLIN, 0};
  int rc = PollWithin(p, n, timeout);
  if (rc < 0) return ThrowErrno(env, errno, "poll");
  for (nfds_t i = 0; i < n; i++)
    if (p[i].revents) return Napi::Number::New(env, static_cast<double>(i));
  return Napi::Number::New(env, -1);
}

void RegisterPlanner(Napi::Env env, Napi::Object exports) {
  exports.Set("pollFirst", Napi::Function::New(env, PollFirst));
  exports.Set("seqpacketListen", Napi::Function::New(env, SeqpacketListen));
  exports.Set("acceptPacket", Napi::Function::New(env, AcceptPacket));
  exports.Set("peerCred", Napi::Function::New(env, PeerCred));
  exports.Set("sendPacket", Napi::Function::New(env, SendPacket));
  exports.Set("recvPacket", Napi::Function::New(env, RecvPacket));
}

}  // namespace runt
