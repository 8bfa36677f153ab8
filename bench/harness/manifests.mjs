// Rendered Kubernetes manifests, as `helm template` / `kustomize build` would print them, for the CLI to scan.
import { createHash } from 'node:crypto'

/** A fake but well-formed sha256 digest derived from a seed (stable across runs). */
export function fakeDigest(seed) {
  return `sha256:${createHash('sha256').update(String(seed)).digest('hex')}`
}

/**
 * One multi-document YAML stream: a Deployment per `perDeployment` references, one container each.
 * @param {string[]} refs
 * @param {{ perDeployment?: number, namespace?: string }} [opts]
 */
export function renderDeployments(refs, opts = {}) {
  const per = opts.perDeployment ?? 4
  const ns = opts.namespace ?? 'bench'
  const docs = []
  for (let d = 0; d * per < refs.length; d++) {
    const chunk = refs.slice(d * per, (d + 1) * per)
    const containers = chunk
      .map(
        (ref, i) =>
          `        - name: c${i}\n          image: ${ref}\n          ports:\n            - containerPort: ${8000 + i}\n`,
      )
      .join('')
    docs.push(
      `# Source: bench/templates/deploy-${d}.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${d}\n  namespace: ${ns}\n  labels:\n    app.kubernetes.io/name: app-${d}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app-${d}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: app-${d}\n    spec:\n      containers:\n${containers}`,
    )
  }
  return `---\n${docs.join('---\n')}`
}

/**
 * `count` distinct references over several registries and shapes (tag, digest, tag@digest, Docker Hub
 * short names), the mix a large platform repository has.
 */
export function mixedReferences(count) {
  const refs = []
  for (let i = 0; i < count; i++) {
    switch (i % 5) {
      case 0:
        refs.push(`docker.io/team${i % 37}/svc-${i}:1.${i % 10}.${i % 7}`)
        break
      case 1:
        refs.push(`ghcr.io/org${i % 13}/app-${i}:v${i % 4}`)
        break
      case 2:
        refs.push(`quay.io/proj/tool-${i}@${fakeDigest(i)}`)
        break
      case 3:
        refs.push(`registry.k8s.io/sig/comp-${i}:v1.${i % 30}.0@${fakeDigest(i)}`)
        break
      default:
        refs.push(`lib${i}:${i % 3 === 0 ? 'latest' : `2.${i % 9}`}`)
    }
  }
  return refs
}
