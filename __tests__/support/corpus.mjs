// The extraction corpus, deterministic (the same bytes every run): "helm template"-like releases with CRDs
// whose big openAPIV3Schema mentions `image` fields, ConfigMaps with dashboards and scripts that mention
// `image:` too, Secrets, many workloads of every kind, Argo/Tekton/CNPG/prometheus-operator resources, a
// `kubectl get -o json` List and a Compose file. Written by the extraction benchmark (bench/extract.mjs,
// bench/rewrite.mjs) and by the tests that compare the fast path with the full parse; plain ESM (with
// corpus.d.mts for TypeScript) because the benchmark runs on plain Node.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const words =
  'the of and to a in is that for it as with was on be by this are or from at an which not have but all can were has more one its been also when will would their there into only other than about these they could time may some them most what out if so like new over such'.split(
    ' ',
  )
function prose(seed, n) {
  let s = ''
  for (let i = 0; i < n; i++) s += `${i ? ' ' : ''}${words[(seed * 31 + i * 17) % words.length]}`
  return s
}
const hex = (seed, n = 64) => {
  let s = ''
  let x = seed * 2654435761
  while (s.length < n) {
    x = (x * 1103515245 + 12345) >>> 0
    s += x.toString(16).padStart(8, '0')
  }
  return s.slice(0, n)
}

/** One schema property block, recursively, like controller-gen output (descriptions, patterns, image fields). */
function schemaProps(depth, seed, indent) {
  const pad = ' '.repeat(indent)
  let out = ''
  const n = depth === 0 ? 4 : 7
  for (let i = 0; i < n; i++) {
    const name = i === 0 ? 'image' : i === 1 ? 'imagePullPolicy' : `field${seed % 97}x${i}`
    out += `${pad}${name}:\n`
    out += `${pad}  description: |-\n`
    for (let l = 0; l < 3; l++) out += `${pad}    ${prose(seed + i + l, 14)}\n`
    if (depth > 0 && i >= 5) {
      out += `${pad}  type: object\n${pad}  properties:\n`
      out += schemaProps(depth - 1, seed * 7 + i, indent + 4)
    } else {
      out += `${pad}  type: string\n`
      if (i % 3 === 2)
        out += `${pad}  pattern: ^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$\n`
      if (i % 4 === 3) out += `${pad}  x-kubernetes-int-or-string: true\n`
    }
  }
  return out
}

function crd(i) {
  const plural = `widget${i}s`
  return `# Source: operator/charts/crds/templates/crd-${i}.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.1
  name: ${plural}.example.com
spec:
  group: example.com
  names:
    kind: Widget${i}
    listKind: Widget${i}List
    plural: ${plural}
    singular: widget${i}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        description: Widget${i} is ${prose(i, 12)}
        type: object
        properties:
          spec:
            type: object
            properties:
${schemaProps(3, i, 14)}`
}

function dashboardConfigMap(i) {
  let panels = ''
  for (let p = 0; p < 120; p++)
    panels += `        {"datasource": "$datasource", "id": ${p}, "title": "${prose(i + p, 5)}", "targets": [{"expr": "sum(rate(container_cpu_usage_seconds_total{namespace=\\"$namespace\\", image!=\\"\\", container!=\\"POD\\"}[5m])) by (pod)", "legendFormat": "{{pod}}"}], "type": "timeseries", "gridPos": {"h": 8, "w": 12, "x": ${(p % 2) * 12}, "y": ${p * 8}}},\n`
  return `# Source: kube-prometheus-stack/templates/grafana/dashboards-1.14/k8s-resources-${i}.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-prometheus-stack-k8s-resources-${i}
  namespace: monitoring
  labels:
    grafana_dashboard: "1"
data:
  k8s-resources-${i}.json: |-
    {
      "panels": [
${panels}        {}
      ],
      "title": "Kubernetes / Compute Resources / ${i}"
    }
  bootstrap.sh: |
    #!/bin/sh
    # pulls image: registry.example.com/tools/bootstrap:1.0 before anything else
    image: not-a-field-just-text
    crictl pull --image quay.io/prometheus/busybox:latest
`
}

function secret(i) {
  let data = ''
  for (let k = 0; k < 20; k++) data += `  key${k}: ${Buffer.from(hex(i * 100 + k, 600)).toString('base64')}\n`
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-${i}\ntype: Opaque\ndata:\n${data}`
}

const podSpec = (i, pad) => {
  const p = ' '.repeat(pad)
  return `${p}serviceAccountName: app-${i}
${p}securityContext:
${p}  runAsNonRoot: true
${p}  fsGroup: 2000
${p}initContainers:
${p}  - name: init-config
${p}    image: "docker.io/library/busybox:1.36"
${p}    command: ["sh", "-c", "cp /config/* /work/"]
${p}containers:
${p}  - name: app
${p}    image: "ghcr.io/example/app-${i % 40}:v1.${i % 13}.0"
${p}    imagePullPolicy: IfNotPresent
${p}    args:
${p}      - --port=8080
${p}      - --metrics-bind-address=:9090
${p}    ports:
${p}      - name: http
${p}        containerPort: 8080
${p}        protocol: TCP
${p}    env:
${p}      - name: POD_NAMESPACE
${p}        valueFrom:
${p}          fieldRef:
${p}            fieldPath: metadata.namespace
${p}    livenessProbe:
${p}      httpGet:
${p}        path: /healthz
${p}        port: http
${p}    resources:
${p}      limits:
${p}        cpu: 500m
${p}        memory: 512Mi
${p}      requests:
${p}        cpu: 100m
${p}        memory: 128Mi
${p}    volumeMounts:
${p}      - name: config
${p}        mountPath: /etc/app
${p}  - name: proxy
${p}    image: quay.io/brancz/kube-rbac-proxy:v0.18.${i % 3}@sha256:${hex(i % 3)}
${p}volumes:
${p}  - name: config
${p}    configMap:
${p}      name: app-${i}
`
}

function workloads(i) {
  const meta = (kind, api, extra = '') =>
    `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: app-${i}\n  namespace: team-${i % 9}\n  labels:\n    app.kubernetes.io/name: app-${i}\n    app.kubernetes.io/part-of: platform\n${extra}`
  const docs = []
  docs.push(
    `# Source: platform/templates/deployment.yaml\n${meta('Deployment', 'apps/v1')}spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app-${i}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: app-${i}\n    spec:\n${podSpec(i, 6)}`,
  )
  if (i % 3 === 0)
    docs.push(
      `${meta('StatefulSet', 'apps/v1')}spec:\n  serviceName: app-${i}\n  template:\n    spec:\n${podSpec(i + 1, 6)}`,
    )
  if (i % 4 === 0)
    docs.push(
      `${meta('CronJob', 'batch/v1')}spec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${podSpec(i + 2, 10)}`,
    )
  if (i % 5 === 0)
    docs.push(`${meta('DaemonSet', 'apps/v1')}spec:\n  template:\n    spec:\n${podSpec(i + 3, 6)}`)
  docs.push(
    `${meta('Service', 'v1')}spec:\n  type: ClusterIP\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n  selector:\n    app.kubernetes.io/name: app-${i}\n`,
  )
  docs.push(`${meta('ServiceAccount', 'v1')}automountServiceAccountToken: false\n`)
  docs.push(
    `${meta('Role', 'rbac.authorization.k8s.io/v1')}rules:\n  - apiGroups: [""]\n    resources: ["configmaps", "secrets"]\n    verbs: ["get", "list", "watch"]\n  - apiGroups: ["image.openshift.io"]\n    resources: ["imagestreams"]\n    verbs: ["get"]\n`,
  )
  docs.push(
    `${meta('RoleBinding', 'rbac.authorization.k8s.io/v1')}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app-${i}\nsubjects:\n  - kind: ServiceAccount\n    name: app-${i}\n`,
  )
  docs.push(
    `${meta('Ingress', 'networking.k8s.io/v1', '  annotations:\n    nginx.ingress.kubernetes.io/rewrite-target: /\n')}spec:\n  ingressClassName: nginx\n  rules:\n    - host: app-${i}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: app-${i}\n                port:\n                  name: http\n`,
  )
  docs.push(
    `${meta('ServiceMonitor', 'monitoring.coreos.com/v1')}spec:\n  endpoints:\n    - port: http\n      interval: 30s\n      metricRelabelings:\n        - sourceLabels: [image]\n          action: drop\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app-${i}\n`,
  )
  if (i % 10 === 0) {
    docs.push(
      `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: wf-${i}\nspec:\n  entrypoint: main\n  templates:\n    - name: main\n      container:\n        image: docker.io/library/alpine:3.20\n        command: [sh, -c, "echo hi"]\n    - name: py\n      script:\n        image: python:3.12-slim\n        source: print(1)\n`,
    )
    docs.push(
      `apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: build-${i}\nspec:\n  steps:\n    - name: build\n      image: gcr.io/kaniko-project/executor:v1.23.2\n    - name: push\n      image: $(params.pusher)\n  sidecars:\n    - name: docker\n      image: docker:27-dind\n`,
    )
    docs.push(
      `apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg-${i}\nspec:\n  instances: 3\n  imageName: ghcr.io/cloudnative-pg/postgresql:16.4\n`,
    )
  }
  return docs
}

function kubectlList(n) {
  const items = []
  for (let i = 0; i < n; i++)
    items.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `svc-${i}`,
        namespace: 'prod',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            spec: { image: `nginx:1.${i}` },
          }),
        },
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:spec': { 'f:replicas': {} } },
          },
        ],
      },
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { name: 'web', image: `docker.io/library/nginx:1.${i % 20}`, ports: [{ containerPort: 80 }] },
            ],
          },
        },
      },
      status: {
        replicas: 1,
        readyReplicas: 1,
        conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
      },
    })
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, null, 4)
}

const compose = `services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
  db:
    image: postgres:16
  cache:
    image: \${REGISTRY:-docker.io}/library/redis:7
`

/** Only workloads (every document holds images): the worst case for the skipping. Returns bytes written. */
export function writeWorkloadCorpus(dir, targetMb = 5) {
  let total = 0
  for (let r = 0; total < targetMb * 1e6; r++) {
    const docs = []
    for (let w = 0; w < 200; w++) docs.push(...workloads(r * 1000 + w).slice(0, 3))
    const text = `---\n${docs.join('---\n')}`
    writeFileSync(join(dir, `workloads-${r}.yaml`), text)
    total += Buffer.byteLength(text)
  }
  return total
}

/** Write the corpus (≥ `targetMb` MB) into `dir`; returns its size in bytes. */
export function writeCorpus(dir, targetMb = 20) {
  const target = targetMb * 1e6
  let total = 0
  const write = (name, text) => {
    writeFileSync(join(dir, name), text)
    total += Buffer.byteLength(text)
  }
  write('docker-compose.yml', compose)
  write('kubectl-get-deployments.json', kubectlList(600))
  for (let r = 0; total < target; r++) {
    // One "helm template" release: CRDs first, then dashboards, secrets and workloads, as charts print them.
    const docs = []
    for (let c = 0; c < 12; c++) docs.push(crd(r * 100 + c))
    for (let c = 0; c < 10; c++) docs.push(dashboardConfigMap(r * 100 + c))
    for (let c = 0; c < 15; c++) docs.push(secret(r * 100 + c))
    for (let w = 0; w < 120; w++) docs.push(...workloads(r * 1000 + w))
    write(`release-${r}.yaml`, `---\n${docs.join('---\n')}`)
  }
  return total
}
