// The cgroup v2 device filter: load a BPF_PROG_TYPE_CGROUP_DEVICE program (compiled in
// src/cgroups/device-filter.ts) and attach it to a cgroup directory. A filter runt
// attached to the same group before (known by its program name) is replaced in the
// same attach call (BPF_F_REPLACE), so the group is never without one.
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon/addon.h"

namespace runt {

// how runt recognises its own filter among the programs attached to a group
static const char kProgName[] = "runt_devices";
static const unsigned kMaxAttached = 64;
static const size_t kLogSize = 64 * 1024;

static int Bpf(int cmd, union bpf_attr *attr) {
  return static_cast<int>(syscall(__NR_bpf, cmd, attr, sizeof(*attr)));
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  Fd(Fd &&other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  int get() const { return fd_; }

 private:
  int fd_;
};

// BPF_PROG_LOAD; on failure the errno, and the verifier's log from a second, logged attempt.
static int LoadProgram(const struct bpf_insn *insns, size_t count, std::string *log) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uintptr_t>(insns);
  attr.insn_cnt = static_cast<__u32>(count);
  attr.license = reinterpret_cast<uintptr_t>("GPL");
  memcpy(attr.prog_name, kProgName, sizeof(kProgName));
  int fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return fd;
  int err = errno;
  std::vector<char> buf(kLogSize, '\0');
  attr.log_level = 1;
  attr.log_buf = reinterpret_cast<uintptr_t>(buf.data());
  attr.log_size = static_cast<__u32>(buf.size());
  fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return fd;  // loaded with a log after all: use it
  log->assign(buf.data(), strnlen(buf.data(), buf.size()));
  while (!log->empty() && (log->back() == '\n' || log->back() == ' ')) log->pop_back();
  for (char &c : *log)
    if (c == '\n') c = ';';
  errno = err;
  return -1;
}

// The programs runt attached to the group directly (not those inherited from parents).
static int OwnFilters(int cgroupFd, std::vector<Fd> *out) {
  __u32 ids[kMaxAttached];
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.query.target_fd = cgroupFd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids);
  attr.query.prog_cnt = kMaxAttached;
  if (Bpf(BPF_PROG_QUERY, &attr) < 0) return -1;
  for (__u32 i = 0; i < attr.query.prog_cnt && i < kMaxAttached; i++) {
    union bpf_attr get;
    memset(&get, 0, sizeof(get));
    get.prog_id = ids[i];
    Fd fd(Bpf(BPF_PROG_GET_FD_BY_ID, &get));
    if (fd.get() < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      return -1;
    }
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    union bpf_attr inf;
    memset(&inf, 0, sizeof(inf));
    inf.info.bpf_fd = fd.get();
    inf.info.info_len = sizeof(info);
    inf.info.info = reinterpret_cast<uintptr_t>(&info);
    if (Bpf(BPF_OBJ_GET_INFO_BY_FD, &inf) < 0) return -1;
    if (strncmp(info.name, kProgName, sizeof(info.name)) == 0) out->push_back(std::move(fd));
  }
  return 0;
}

// attachDeviceFilter(cgroupDir, program: Buffer of struct bpf_insn) -> number of earlier runt filters replaced
static Napi::Value AttachDeviceFilter(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string dir = info[0].As<Napi::String>().Utf8Value();
  Napi::Buffer<uint8_t> program = info[1].As<Napi::Buffer<uint8_t>>();
  if (program.Length() == 0 || program.Length() % sizeof(struct bpf_insn) != 0) {
    return ThrowErrno(env, EINVAL, "attachDeviceFilter: program length", dir.c_str());
  }
  std::vector<struct bpf_insn> insns(program.Length() / sizeof(struct bpf_insn));
  memcpy(insns.data(), program.Data(), program.Length());

  Fd cgroup(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (cgroup.get() < 0) return ThrowErrno(env, errno, "open", dir.c_str());
  std::string log;
  Fd prog(LoadProgram(insns.data(), insns.size(), &log));
  if (prog.get() < 0) return ThrowErrno(env, errno, "bpf(BPF_PROG_LOAD)", dir.c_str(), log.empty() ? nullptr : log.c_str());
  std::vector<Fd> old;
  if (OwnFilters(cgroup.get(), &old) < 0) return ThrowErrno(env, errno, "bpf(BPF_PROG_QUERY)", dir.c_str());

  union bpf_attr attach;
  memset(&attach, 0, sizeof(attach));
  attach.target_fd = cgroup.get();
  attach.attach_bpf_fd = prog.get();
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (!old.empty()) {
    attach.attach_flags |= BPF_F_REPLACE;
    attach.replace_bpf_fd = old[0].get();
  }
  if (Bpf(BPF_PROG_ATTACH, &attach) < 0) return ThrowErrno(env, errno, "bpf(BPF_PROG_ATTACH)", dir.c_str());
  // more than one earlier filter (never made by runt itself): the new one is in place, drop the rest
  for (size_t i = 1; i < old.size(); i++) {
    union bpf_attr detach;
    memset(&detach, 0, sizeof(detach));
    detach.target_fd = cgroup.get();
    detach.attach_bpf_fd = old[i].get();
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (Bpf(BPF_PROG_DETACH, &detach) < 0 && errno != ENOENT) return ThrowErrno(env, errno, "bpf(BPF_PROG_DETACH)", dir.c_str());
  }
  return Napi::Number::New(env, static_cast<double>(old.size()));
}

void RegisterBpf(Napi::Env env, Napi::Object exports) {
  exports.Set("attachDeviceFilter", Napi::Function::New(env, AttachDeviceFilter));
}

}  // namespace runt
