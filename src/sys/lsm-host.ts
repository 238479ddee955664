// Which Linux security modules are enabled on this host, as runc tells.

import fs from 'node:fs'

export interface LsmHost {
  /** AppArmor is enabled (runc's test: securityfs has apparmor/ and the module says Y) */
  apparmor(): boolean
  /** SELinux is enabled (selinuxfs is mounted and the process has a label other than "kernel") */
  selinux(): boolean
}

export const HOST_LSM: LsmHost = {
  apparmor(): boolean {
    try {
      fs.statSync('/sys/kernel/security/apparmor')
      return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').startsWith('Y')
    } catch {
      return false
    }
  },
  selinux(): boolean {
    try {
      const mounted = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some(line => / - selinuxfs /.test(line))
      return mounted && fs.readFileSync('/proc/self/attr/current', 'utf8').replace(/\0/g, '').trim() !== 'kernel'
    } catch {
      return false
    }
  },
}
