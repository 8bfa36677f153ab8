// Which Kubernetes kinds can never hold an image, and which need a rule of their own. Shared by the
// document walker and the cheap pre-scan, so a document the pre-scan skips is one the walker would
// have returned nothing for.

/** Kinds that hold no image field, by API group (`''` is the core group). Their documents are not searched. */
const NON_IMAGE_KINDS: Record<string, readonly string[]> = {
  '': [
    'ConfigMap',
    'Secret',
    'Service',
    'ServiceAccount',
    'Namespace',
    'Endpoints',
    'PersistentVolumeClaim',
    'PersistentVolume',
    'LimitRange',
    'ResourceQuota',
    'Event',
    'Node',
  ],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  'rbac.authorization.k8s.io': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  'networking.k8s.io': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  policy: ['PodDisruptionBudget'],
  autoscaling: ['HorizontalPodAutoscaler'],
  'admissionregistration.k8s.io': [
    'ValidatingWebhookConfiguration',
    'MutatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ],
  'storage.k8s.io': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'],
  'scheduling.k8s.io': ['PriorityClass'],
  'apiregistration.k8s.io': ['APIService'],
  'discovery.k8s.io': ['EndpointSlice'],
  'coordination.k8s.io': ['Lease'],
  'monitoring.coreos.com': ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'Probe'],
  'cert-manager.io': ['Certificate', 'CertificateRequest', 'Issuer', 'ClusterIssuer'],
}
const NON_IMAGE = new Set(
  Object.entries(NON_IMAGE_KINDS).flatMap(([group, kinds]) => kinds.map((k) => `${group}/${k}`)),
)
/** Never searched whatever their apiVersion says: their data is text that merely mentions images. */
const NEVER_SEARCHED = new Set(['ConfigMap', 'Secret', 'CustomResourceDefinition'])

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

/** True when a document of this kind holds no image (ConfigMap, Secret, CRD schemas, RBAC, Service …). */
export function isNonImageKind(apiVersion: string | undefined, kind: string | undefined): boolean {
  if (kind === undefined) return false
  if (NEVER_SEARCHED.has(kind)) return true
  if (apiVersion === undefined) return false
  return NON_IMAGE.has(`${apiGroup(apiVersion)}/${kind}`)
}

/** How the `spec` of a well-known custom resource holds images beyond containers (which are found anywhere). */
export type SpecRule = 'cnpg-cluster' | 'monitoring'

export function specRule(apiVersion: string | undefined, kind: string | undefined): SpecRule | undefined {
  if (apiVersion === undefined || kind === undefined) return undefined
  const group = apiGroup(apiVersion)
  // CloudNativePG: spec.imageName is the PostgreSQL operand image.
  if (group === 'postgresql.cnpg.io' && kind === 'Cluster') return 'cnpg-cluster'
  // prometheus-operator: spec.image (and spec.thanos.image) are the operand images.
  if (
    group === 'monitoring.coreos.com' &&
    (kind === 'Prometheus' || kind === 'Alertmanager' || kind === 'ThanosRuler' || kind === 'PrometheusAgent')
  )
    return 'monitoring'
  return undefined
}
