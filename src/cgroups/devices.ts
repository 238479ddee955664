// linux.resources.devices -> cgroup v1 devices.allow / devices.deny writes (pure).
// Rules apply in order, as the kernel's own list does: a rule that denies every
// device ("a") resets the group to deny-all, then each allow opens one class.

import { ConfigError } from '../errors'
import type { DeviceCgroup } from '../spec/types'
import type { CgroupWrite } from './resources'

/**
 * Appended after the config's rules, as runc does: mknod of any node (the runtime and
 * the container create nodes), and the nodes every container gets in /dev.
 */
export const DEFAULT_ALLOWED_DEVICES: readonly DeviceCgroup[] = [
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // null
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // random
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // full
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // tty
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // zero
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // urandom
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // pts/*
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // ptmx
]

/** A device rule checked and with its defaults filled in: -1 is a wildcard major or minor. */
export interface DeviceRule {
  allow: boolean
  type: 'a' | 'b' | 'c'
  major: number
  minor: number
  /** a non-empty set of r, w and m, each at most once */
  access: string
}

/** Check one linux.resources.devices rule (index names it in errors); absent type/major/minor are wildcards, absent access is rwm. */
export function checkDeviceRule(rule: DeviceCgroup, index: number): DeviceRule {
  const type = rule.type ?? 'a'
  if (type !== 'a' && type !== 'b' && type !== 'c') throw new ConfigError([`linux.resources.devices[${index}].type: "${type}" is not a, b or c`])
  const access = rule.access || 'rwm'
  if (!/^[rwm]{1,3}$/.test(access) || new Set(access).size !== access.length) {
    throw new ConfigError([`linux.resources.devices[${index}].access: "${access}" is not a combination of r, w and m`])
  }
  const num = (n: number | undefined | null) => (n === undefined || n === null || n < 0 ? -1 : n)
  return { allow: rule.allow, type, major: num(rule.major), minor: num(rule.minor), access }
}

/** The kernel's rule syntax: "c 1:3 rwm", "a *:* rwm"; absent type/major/minor are wildcards. */
export function deviceRuleText(rule: DeviceCgroup, index: number): string {
  const { type, major, minor, access } = checkDeviceRule(rule, index)
  // v1 reads a rule starting with "a" as "every device, every access": a reset of the whole list
  if (type === 'a') {
    if (access.length !== 3) throw new ConfigError([`linux.resources.devices[${index}]: a rule for every device ("a") must have access rwm on cgroup v1, not "${access}"`])
    return 'a'
  }
  const num = (n: number) => (n < 0 ? '*' : String(n))
  return `${type} ${num(major)}:${num(minor)} ${access}`
}

/** The ordered writes for config rules plus the default allowed devices. */
export function v1DeviceWrites(rules: readonly DeviceCgroup[]): CgroupWrite[] {
  const all = [...rules, ...DEFAULT_ALLOWED_DEVICES]
  return all.map((rule, i) => ({ controller: 'devices', file: rule.allow ? 'devices.allow' : 'devices.deny', value: deviceRuleText(rule, i) }))
}
