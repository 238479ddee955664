// A one-layer OCI image made by hand from the busybox rootfs, as an OCI layout tar
// (oci-layout, index.json, blobs/sha256/...) that `ctr images import` accepts: no
// registry, no network.

import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

export interface ImageConfig {
  env: string[]
  cmd: string[]
  workingDir: string
  user: string
}

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
}

const sha256 = (data: Buffer) => 'sha256:' + crypto.createHash('sha256').update(data).digest('hex')

function tar(args: string[]): void {
  const r = spawnSync('tar', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')} failed: ${r.stderr.trim()}`)
}

/** Write the image as an OCI layout tar at archive; name is the image reference containerd will list. */
export function writeOciArchive(rootfs: string, archive: string, name: string, config: ImageConfig): void {
  const layout = fs.mkdtempSync(archive + '.layout-')
  try {
    const blobs = path.join(layout, 'blobs', 'sha256')
    fs.mkdirSync(blobs, { recursive: true })
    const addBlob = (mediaType: string, data: Buffer): Descriptor => {
      const digest = sha256(data)
      fs.writeFileSync(path.join(blobs, digest.slice('sha256:'.length)), data)
      return { mediaType, digest, size: data.length }
    }

    const layerTar = path.join(layout, 'layer.tar')
    tar(['--sort=name', '--numeric-owner', '-C', rootfs, '-cf', layerTar, '.'])
    const uncompressed = fs.readFileSync(layerTar)
    fs.rmSync(layerTar)
    const layer = addBlob('application/vnd.oci.image.layer.v1.tar+gzip', zlib.gzipSync(uncompressed))

    const imageConfig = {
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      config: { Env: config.env, Cmd: config.cmd, WorkingDir: config.workingDir, User: config.user },
      rootfs: { type: 'layers', diff_ids: [sha256(uncompressed)] },
    }
    const configDesc = addBlob('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify(imageConfig)))
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: [layer] }
    const manifestDesc = addBlob('application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify(manifest)))
    manifestDesc.annotations = { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.split(':').pop() ?? 'latest' }

    fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
    fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [manifestDesc] }))
    tar(['-C', layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs'])
  } finally {
    fs.rmSync(layout, { recursive: true, force: true })
  }
}
