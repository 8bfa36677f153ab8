// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell variables are the input under test
// The fixture corpus: real-world-shaped output of popular charts and operators (helm template of
// ingress-nginx, cert-manager, kube-prometheus-stack, argo-workflows, redis, external-dns; kustomize build;
// Tekton; CNPG; KEDA; Knative; prometheus-operator; OpenKruise; Compose; kubectl get -o json/yaml; image
// lists) and the format corner cases. Every expected reference is asserted with its exact file, line and
// column and what the source says about it, and nothing else may be found.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Extractor, extract, parseReference } from '../src/extract/index.js'
import type { Extraction, ExtractStatus, Source } from '../src/model.js'

const CORPUS = fileURLToPath(new URL('./fixtures/extract/corpus', import.meta.url))
const PATHS = ['.', 'lists/images.txt', 'lists/prewarm']

type Extra = Omit<Partial<Source>, 'file' | 'line' | 'column'>
type Row = [file: string, line: number, column: number, status: ExtractStatus, key: string, extra?: Extra]

// prettier-ignore
const EXPECTED: Row[] = [
  // anchors/anchors.yaml
  [
    'anchors/anchors.yaml',
    3,
    12,
    'ok',
    'ghcr.io/example/override:2.0',
    { document: 0, kind: 'Deployment', namespace: 'yaml', name: 'anchors', field: 'x-defs.override.image' },
  ],
  [
    'anchors/anchors.yaml',
    15,
    23,
    'ok',
    'ghcr.io/example/app:1.0',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'yaml',
      name: 'anchors',
      container: 'app',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'anchors/anchors.yaml',
    17,
    18,
    'ok',
    'ghcr.io/example/app:1.0',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'yaml',
      name: 'anchors',
      container: 'worker',
      field: 'spec.template.spec.containers[1].image',
    },
  ],
  [
    'anchors/anchors.yaml',
    18,
    15,
    'ok',
    'ghcr.io/example/app:1.0',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'yaml',
      name: 'anchors',
      container: 'app-copy',
      field: 'spec.template.spec.containers[2].image',
    },
  ],
  [
    'anchors/anchors.yaml',
    20,
    11,
    'ok',
    'ghcr.io/example/app:1.0',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'yaml',
      name: 'anchors',
      container: 'app',
      field: 'spec.template.spec.containers[3].image',
    },
  ],
  [
    'anchors/anchors.yaml',
    21,
    16,
    'ok',
    'ghcr.io/example/override:2.0',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'yaml',
      name: 'anchors',
      container: 'merged-list',
      field: 'spec.template.spec.containers[4].image',
    },
  ],
  // anchors/merge-first.yaml
  [
    'anchors/merge-first.yaml',
    2,
    10,
    'ok',
    'ghcr.io/example/base:3.0',
    { document: 0, kind: 'Pod', name: 'merged', field: 'x-base.image' },
  ],
  [
    'anchors/merge-first.yaml',
    11,
    11,
    'ok',
    'ghcr.io/example/base:3.0',
    { document: 0, kind: 'Pod', name: 'merged', container: 'from-merge', field: 'spec.containers[0].image' },
  ],
  [
    'anchors/merge-first.yaml',
    14,
    14,
    'ok',
    'ghcr.io/example/own:3.1',
    { document: 0, kind: 'Pod', name: 'merged', container: 'own-wins', field: 'spec.containers[1].image' },
  ],
  // argo/cronworkflow.yaml
  [
    'argo/cronworkflow.yaml',
    14,
    18,
    'ok',
    'docker.io/bitnami/kubectl:1.31',
    {
      document: 0,
      kind: 'CronWorkflow',
      namespace: 'argo',
      name: 'cleanup',
      container: 'cleanup',
      field: 'spec.workflowSpec.templates[0].script.image',
    },
  ],
  // argo/rollout.yaml
  [
    'argo/rollout.yaml',
    20,
    16,
    'ok',
    'docker.io/argoproj/rollouts-demo:blue',
    {
      document: 0,
      kind: 'Rollout',
      namespace: 'demo',
      name: 'rollouts-demo',
      container: 'rollouts-demo',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  // argo/workflow.yaml
  [
    'argo/workflow.yaml',
    11,
    14,
    'ok',
    'docker.io/docker/whalesay:latest',
    {
      document: 0,
      kind: 'Workflow',
      namespace: 'argo',
      container: 'hello',
      field: 'spec.templates[0].container.image',
    },
  ],
  [
    'argo/workflow.yaml',
    18,
    20,
    'ok',
    'docker.io/library/busybox:1.36',
    {
      document: 0,
      kind: 'Workflow',
      namespace: 'argo',
      field: 'spec.templates[1].steps[0][0].inline.container.image',
    },
  ],
  // cnpg/cluster.yaml
  [
    'cnpg/cluster.yaml',
    8,
    14,
    'ok',
    'ghcr.io/cloudnative-pg/postgresql:16.4-bookworm',
    { document: 0, kind: 'Cluster', namespace: 'db', name: 'pg-main', field: 'spec.imageName' },
  ],
  [
    'cnpg/cluster.yaml',
    29,
    18,
    'ok',
    'ghcr.io/cloudnative-pg/pgbouncer:1.23.0',
    {
      document: 1,
      kind: 'Pooler',
      namespace: 'db',
      name: 'pg-main-pooler',
      container: 'pgbouncer',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'cnpg/cluster.yaml',
    39,
    14,
    'ok',
    'ghcr.io/cloudnative-pg/postgresql:15.8',
    { document: 2, kind: 'ImageCatalog', namespace: 'db', name: 'postgresql', field: 'spec.images[0].image' },
  ],
  [
    'cnpg/cluster.yaml',
    41,
    14,
    'ok',
    'ghcr.io/cloudnative-pg/postgresql:16.4',
    { document: 2, kind: 'ImageCatalog', namespace: 'db', name: 'postgresql', field: 'spec.images[1].image' },
  ],
  [
    'cnpg/cluster.yaml',
    50,
    14,
    'unresolved',
    '',
    { document: 3, kind: 'Cluster', namespace: 'db', name: 'pg-templated', field: 'spec.imageName' },
  ],
  // compose/compose.override.yml
  [
    'compose/compose.override.yml',
    3,
    12,
    'ok',
    'docker.io/library/nginx:1.27-debug',
    { document: 0, container: 'web', field: 'services.web.image' },
  ],
  [
    'compose/compose.override.yml',
    7,
    12,
    'unresolved',
    '${TOOLS_IMAGE}',
    { document: 0, container: 'tools', field: 'services.tools.image' },
  ],
  // compose/compose.yaml
  [
    'compose/compose.yaml',
    4,
    12,
    'ok',
    'localhost:5000/demo/app:dev',
    { document: 0, container: 'app', field: 'services.app.image' },
  ],
  [
    'compose/compose.yaml',
    7,
    12,
    'ok',
    '[::1]:5000/demo/proxy:1',
    { document: 0, container: 'proxy', field: 'services.proxy.image' },
  ],
  // compose/docker-compose.yml
  [
    'compose/docker-compose.yml',
    9,
    12,
    'ok',
    'docker.io/library/nginx:1.27-alpine',
    { document: 0, container: 'web', field: 'services.web.image' },
  ],
  [
    'compose/docker-compose.yml',
    13,
    9,
    'ok',
    'ghcr.io/example/base:1.0',
    { document: 0, container: 'api', field: 'services.api.image' },
  ],
  [
    'compose/docker-compose.yml',
    22,
    12,
    'ok',
    'docker.io/library/postgres:16',
    { document: 0, container: 'db', field: 'services.db.image' },
  ],
  [
    'compose/docker-compose.yml',
    24,
    12,
    'unresolved',
    '${REGISTRY:-docker.io}/library/redis:${REDIS_TAG:-7}',
    { document: 0, container: 'cache', field: 'services.cache.image' },
  ],
  [
    'compose/docker-compose.yml',
    26,
    12,
    'ok',
    'docker.io/library/registry:2.8.3',
    { document: 0, container: 'registry', field: 'services.registry.image' },
  ],
  // formats/block-scalar.yaml
  [
    'formats/block-scalar.yaml',
    8,
    14,
    'ok',
    'ghcr.io/example/literal:1.0',
    { document: 0, kind: 'Pod', name: 'block', container: 'literal', field: 'spec.containers[0].image' },
  ],
  [
    'formats/block-scalar.yaml',
    11,
    14,
    'ok',
    'ghcr.io/example/folded:1.0',
    { document: 0, kind: 'Pod', name: 'block', container: 'folded', field: 'spec.containers[1].image' },
  ],
  [
    'formats/block-scalar.yaml',
    14,
    14,
    'invalid',
    'ghcr.io/example/plain :1.0',
    {
      document: 0,
      kind: 'Pod',
      name: 'block',
      container: 'plain-multiline',
      field: 'spec.containers[2].image',
    },
  ],
  // formats/bom.yaml
  [
    'formats/bom.yaml',
    8,
    14,
    'ok',
    'docker.io/library/alpine:3.20-bom',
    { document: 0, kind: 'Pod', name: 'bom', container: 'a', field: 'spec.containers[0].image' },
  ],
  // formats/crlf.yaml
  [
    'formats/crlf.yaml',
    8,
    14,
    'ok',
    'docker.io/library/nginx:1.27-crlf',
    { document: 0, kind: 'Pod', name: 'crlf', container: 'a', field: 'spec.containers[0].image' },
  ],
  [
    'formats/crlf.yaml',
    10,
    14,
    'ok',
    'docker.io/library/redis:7-crlf',
    { document: 0, kind: 'Pod', name: 'crlf', container: 'b', field: 'spec.containers[1].image' },
  ],
  // formats/deployment.json
  [
    'formats/deployment.json',
    14,
    22,
    'ok',
    'ghcr.io/example/json-app:1.0',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'j',
      name: 'json-deploy',
      container: 'app',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'formats/deployment.json',
    18,
    22,
    'unresolved',
    '${IMAGE}',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'j',
      name: 'json-deploy',
      container: 'tmpl',
      field: 'spec.template.spec.containers[1].image',
    },
  ],
  // formats/documents.yaml
  [
    'formats/documents.yaml',
    13,
    14,
    'ok',
    'docker.io/library/alpine:doc3',
    { document: 2, kind: 'Pod', name: 'doc3', container: 'a', field: 'spec.containers[0].image' },
  ],
  [
    'formats/documents.yaml',
    29,
    14,
    'ok',
    'docker.io/library/alpine:doc6',
    { document: 5, kind: 'Pod', name: 'doc6', container: 'a', field: 'spec.containers[0].image' },
  ],
  // formats/escapes.yaml
  [
    'formats/escapes.yaml',
    8,
    14,
    'ok',
    'ghcr.io/example/escaped:1.0',
    { document: 0, kind: 'Pod', name: 'escapes', container: 'escaped', field: 'spec.containers[0].image' },
  ],
  [
    'formats/escapes.yaml',
    10,
    14,
    'ok',
    'ghcr.io/example/joined:1.0',
    { document: 0, kind: 'Pod', name: 'escapes', container: 'joined', field: 'spec.containers[1].image' },
  ],
  [
    'formats/escapes.yaml',
    13,
    14,
    'ok',
    'ghcr.io/example/single:1.0',
    { document: 0, kind: 'Pod', name: 'escapes', container: 'single', field: 'spec.containers[2].image' },
  ],
  // formats/flow-style.yaml
  [
    'formats/flow-style.yaml',
    2,
    39,
    'ok',
    'docker.io/library/nginx:1.27-flow',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'f',
      name: 'flow',
      container: 'a',
      field: 'spec.containers[0].image',
    },
  ],
  [
    'formats/flow-style.yaml',
    3,
    39,
    'ok',
    'docker.io/library/redis:7-flow',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'f',
      name: 'flow',
      container: 'b',
      field: 'spec.containers[1].image',
    },
  ],
  // formats/json-content.yaml
  [
    'formats/json-content.yaml',
    5,
    50,
    'ok',
    'docker.io/library/nginx:1.27-json-in-yaml',
    { document: 0, kind: 'Pod', name: 'json-in-yaml', container: 'a', field: 'spec.containers[0].image' },
  ],
  // formats/list.yaml
  ['formats/list.yaml', 1, 1, 'ok', 'docker.io/library/nginx:1.27-from-yaml-list'],
  ['formats/list.yaml', 3, 1, 'ok', 'ghcr.io/example/listed:1'],
  // formats/quoted-keys.yaml
  [
    'formats/quoted-keys.yaml',
    8,
    16,
    'ok',
    'docker.io/library/nginx:dq',
    { document: 0, kind: 'Pod', name: 'quoted', container: 'dq', field: 'spec.containers[0].image' },
  ],
  [
    'formats/quoted-keys.yaml',
    10,
    16,
    'ok',
    'docker.io/library/nginx:sq',
    { document: 0, kind: 'Pod', name: 'quoted', container: 'sq', field: 'spec.containers[1].image' },
  ],
  [
    'formats/quoted-keys.yaml',
    13,
    9,
    'ok',
    'docker.io/library/nginx:explicit',
    { document: 0, kind: 'Pod', name: 'quoted', container: 'explicit', field: 'spec.containers[2].image' },
  ],
  [
    'formats/quoted-keys.yaml',
    15,
    21,
    'ok',
    'docker.io/library/nginx:escaped',
    { document: 0, kind: 'Pod', name: 'quoted', container: 'escaped', field: 'spec.containers[3].image' },
  ],
  // formats/tabs-in-strings.yaml
  [
    'formats/tabs-in-strings.yaml',
    12,
    14,
    'ok',
    'docker.io/library/nginx:tabs',
    { document: 0, kind: 'Pod', name: 'tabs', container: 'a', field: 'spec.containers[0].image' },
  ],
  // generic/unknown.yaml
  [
    'generic/unknown.yaml',
    7,
    10,
    'ok',
    'ghcr.io/example/widget:1.0',
    { document: 0, kind: 'Widget', namespace: 'widgets', name: 'w', field: 'spec.image' },
  ],
  [
    'generic/unknown.yaml',
    18,
    14,
    'ok',
    'quay.io/example/deep@sha256:8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4',
    { document: 0, kind: 'Widget', namespace: 'widgets', name: 'w', field: 'spec.nested.deep.image' },
  ],
  [
    'generic/unknown.yaml',
    20,
    12,
    'unresolved',
    '{{ .Values.widget.image }}',
    { document: 0, kind: 'Widget', namespace: 'widgets', name: 'w', field: 'spec.templated.image' },
  ],
  ['generic/unknown.yaml', 27, 8, 'ok', 'docker.io/library/nginx:1.25', { document: 1, field: 'image' }],
  [
    'generic/unknown.yaml',
    43,
    18,
    'ok',
    'registry.access.redhat.com/ubi9/ubi-minimal:9.4',
    {
      document: 2,
      kind: 'Pod',
      namespace: 'tmpl',
      name: 'from-template',
      container: 'main',
      field: 'objects[0].spec.containers[0].image',
    },
  ],
  // helm/argo-workflows.yaml
  [
    'helm/argo-workflows.yaml',
    24,
    18,
    'ok',
    'quay.io/argoproj/workflow-controller:v3.5.10',
    {
      document: 1,
      kind: 'Deployment',
      namespace: 'argo',
      name: 'argo-workflows-workflow-controller',
      container: 'controller',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'argo-workflows/templates/controller/workflow-controller-deployment.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    44,
    18,
    'ok',
    'quay.io/argoproj/argocli:v3.5.10',
    {
      document: 2,
      kind: 'Deployment',
      namespace: 'argo',
      name: 'argo-workflows-server',
      container: 'argo-server',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'argo-workflows/templates/server/server-deployment.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    66,
    16,
    'ok',
    'docker.io/library/golang:1.23',
    {
      document: 3,
      kind: 'WorkflowTemplate',
      namespace: 'argo',
      name: 'build-and-test',
      container: 'build',
      field: 'spec.templates[1].container.image',
      chartSource: 'my-pipelines/templates/workflowtemplate.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    70,
    16,
    'ok',
    'docker.io/library/python:3.12-alpine',
    {
      document: 3,
      kind: 'WorkflowTemplate',
      namespace: 'argo',
      name: 'build-and-test',
      container: 'test',
      field: 'spec.templates[2].script.image',
      chartSource: 'my-pipelines/templates/workflowtemplate.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    76,
    18,
    'ok',
    'docker.io/library/postgres:16.4',
    {
      document: 3,
      kind: 'WorkflowTemplate',
      namespace: 'argo',
      name: 'build-and-test',
      container: 'db',
      field: 'spec.templates[2].sidecars[0].image',
      chartSource: 'my-pipelines/templates/workflowtemplate.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    79,
    18,
    'ok',
    'docker.io/alpine/git:2.45.2',
    {
      document: 3,
      kind: 'WorkflowTemplate',
      namespace: 'argo',
      name: 'build-and-test',
      container: 'fetch',
      field: 'spec.templates[2].initContainers[0].image',
      chartSource: 'my-pipelines/templates/workflowtemplate.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    84,
    20,
    'ok',
    'ghcr.io/example/a:1.0',
    {
      document: 3,
      kind: 'WorkflowTemplate',
      namespace: 'argo',
      name: 'build-and-test',
      container: 'a',
      field: 'spec.templates[3].containerSet.containers[0].image',
      chartSource: 'my-pipelines/templates/workflowtemplate.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    86,
    20,
    'ok',
    'ghcr.io/example/b:1.0',
    {
      document: 3,
      kind: 'WorkflowTemplate',
      namespace: 'argo',
      name: 'build-and-test',
      container: 'b',
      field: 'spec.templates[3].containerSet.containers[1].image',
      chartSource: 'my-pipelines/templates/workflowtemplate.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    101,
    16,
    'unresolved',
    '{{inputs.parameters.image}}',
    {
      document: 4,
      kind: 'ClusterWorkflowTemplate',
      name: 'notify',
      container: 'slack',
      field: 'spec.templates[0].container.image',
      chartSource: 'my-pipelines/templates/clusterworkflowtemplate.yaml',
    },
  ],
  [
    'helm/argo-workflows.yaml',
    116,
    18,
    'ok',
    'ghcr.io/example/nightly:2024.09',
    {
      document: 5,
      kind: 'CronWorkflow',
      namespace: 'argo',
      name: 'nightly',
      container: 'run',
      field: 'spec.workflowSpec.templates[0].container.image',
      chartSource: 'my-pipelines/templates/cronworkflow.yaml',
    },
  ],
  // helm/cert-manager.yaml
  [
    'helm/cert-manager.yaml',
    80,
    18,
    'ok',
    'quay.io/jetstack/cert-manager-cainjector:v1.15.3',
    {
      document: 1,
      kind: 'Deployment',
      namespace: 'cert-manager',
      name: 'cert-manager-cainjector',
      container: 'cert-manager-cainjector',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'cert-manager/templates/cainjector-deployment.yaml',
    },
  ],
  [
    'helm/cert-manager.yaml',
    122,
    18,
    'ok',
    'quay.io/jetstack/cert-manager-controller:v1.15.3',
    {
      document: 2,
      kind: 'Deployment',
      namespace: 'cert-manager',
      name: 'cert-manager',
      container: 'cert-manager-controller',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'cert-manager/templates/deployment.yaml',
    },
  ],
  [
    'helm/cert-manager.yaml',
    155,
    18,
    'ok',
    'quay.io/jetstack/cert-manager-webhook:v1.15.3',
    {
      document: 3,
      kind: 'Deployment',
      namespace: 'cert-manager',
      name: 'cert-manager-webhook',
      container: 'cert-manager-webhook',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'cert-manager/templates/webhook-deployment.yaml',
    },
  ],
  [
    'helm/cert-manager.yaml',
    177,
    18,
    'ok',
    'quay.io/jetstack/cert-manager-startupapicheck:v1.15.3',
    {
      document: 4,
      kind: 'Job',
      namespace: 'cert-manager',
      name: 'cert-manager-startupapicheck',
      container: 'cert-manager-startupapicheck',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'cert-manager/templates/startupapicheck-job.yaml',
    },
  ],
  // helm/external-dns.yaml
  [
    'helm/external-dns.yaml',
    23,
    18,
    'ok',
    'registry.k8s.io/external-dns/external-dns:v0.15.0',
    {
      document: 1,
      kind: 'Deployment',
      namespace: 'external-dns',
      name: 'external-dns',
      container: 'external-dns',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'external-dns/templates/deployment.yaml',
    },
  ],
  // helm/ingress-nginx.yaml
  [
    'helm/ingress-nginx.yaml',
    106,
    18,
    'ok',
    'registry.k8s.io/ingress-nginx/controller:v1.11.2@sha256:d5f8217feeac4887cb1ed21f27c2674e58be06bd8f5184cacea2a69abaf78dce',
    {
      document: 4,
      kind: 'Deployment',
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller',
      container: 'controller',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'ingress-nginx/templates/controller-deployment.yaml',
    },
  ],
  [
    'helm/ingress-nginx.yaml',
    234,
    18,
    'ok',
    'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.3@sha256:a320a50cc91bd15fd2d6fa6de58bd98c1bd64b9a6f926ce23a600d87043455a3',
    {
      document: 7,
      kind: 'Job',
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-admission-create',
      container: 'create',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'ingress-nginx/templates/admission-webhooks/job-patch/job-createSecret.yaml',
    },
  ],
  [
    'helm/ingress-nginx.yaml',
    260,
    18,
    'ok',
    'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.3@sha256:a320a50cc91bd15fd2d6fa6de58bd98c1bd64b9a6f926ce23a600d87043455a3',
    {
      document: 8,
      kind: 'Job',
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-admission-patch',
      container: 'patch',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'ingress-nginx/templates/admission-webhooks/job-patch/job-patchWebhook.yaml',
    },
  ],
  // helm/kube-prometheus-stack.yaml
  [
    'helm/kube-prometheus-stack.yaml',
    66,
    18,
    'ok',
    'quay.io/prometheus-operator/prometheus-operator:v0.76.0',
    {
      document: 2,
      kind: 'Deployment',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-operator',
      container: 'kube-prometheus-stack',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'kube-prometheus-stack/templates/prometheus-operator/deployment.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    85,
    18,
    'ok',
    'docker.io/library/busybox:1.31.1',
    {
      document: 3,
      kind: 'Deployment',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-grafana',
      container: 'init-chown-data',
      field: 'spec.template.spec.initContainers[0].image',
      chartSource: 'kube-prometheus-stack/charts/grafana/templates/deployment.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    89,
    18,
    'ok',
    'quay.io/kiwigrid/k8s-sidecar:1.27.4',
    {
      document: 3,
      kind: 'Deployment',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-grafana',
      container: 'grafana-sc-dashboard',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'kube-prometheus-stack/charts/grafana/templates/deployment.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    94,
    18,
    'ok',
    'docker.io/grafana/grafana:11.2.0',
    {
      document: 3,
      kind: 'Deployment',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-grafana',
      container: 'grafana',
      field: 'spec.template.spec.containers[1].image',
      chartSource: 'kube-prometheus-stack/charts/grafana/templates/deployment.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    111,
    18,
    'ok',
    'quay.io/prometheus/node-exporter:v1.8.2',
    {
      document: 4,
      kind: 'DaemonSet',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-prometheus-node-exporter',
      container: 'node-exporter',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'kube-prometheus-stack/charts/prometheus-node-exporter/templates/daemonset.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    127,
    18,
    'ok',
    'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v20221220-controller-v1.5.1-58-g787ea74b6',
    {
      document: 5,
      kind: 'Job',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-admission-create',
      container: 'create',
      field: 'spec.template.spec.containers[0].image',
      chartSource:
        'kube-prometheus-stack/templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    137,
    10,
    'ok',
    'quay.io/prometheus/prometheus:v2.54.1',
    {
      document: 6,
      kind: 'Prometheus',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-prometheus',
      field: 'spec.image',
      chartSource: 'kube-prometheus-stack/templates/prometheus/prometheus.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    141,
    12,
    'ok',
    'quay.io/thanos/thanos:v0.36.1',
    {
      document: 6,
      kind: 'Prometheus',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-prometheus',
      field: 'spec.thanos.image',
      chartSource: 'kube-prometheus-stack/templates/prometheus/prometheus.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    144,
    14,
    'ok',
    'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0',
    {
      document: 6,
      kind: 'Prometheus',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-prometheus',
      container: 'config-reloader',
      field: 'spec.containers[0].image',
      chartSource: 'kube-prometheus-stack/templates/prometheus/prometheus.yaml',
    },
  ],
  [
    'helm/kube-prometheus-stack.yaml',
    153,
    10,
    'ok',
    'quay.io/prometheus/alertmanager:v0.27.0',
    {
      document: 7,
      kind: 'Alertmanager',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-alertmanager',
      field: 'spec.image',
      chartSource: 'kube-prometheus-stack/templates/alertmanager/alertmanager.yaml',
    },
  ],
  // helm/redis.yaml
  [
    'helm/redis.yaml',
    26,
    18,
    'ok',
    'docker.io/bitnami/redis:7.4.0-debian-12-r2',
    {
      document: 0,
      kind: 'StatefulSet',
      namespace: 'cache',
      name: 'redis-master',
      container: 'redis',
      field: 'spec.template.spec.containers[0].image',
      chartSource: 'redis/templates/master/application.yaml',
    },
  ],
  [
    'helm/redis.yaml',
    34,
    18,
    'ok',
    'docker.io/bitnami/redis-exporter:1.62.0-debian-12-r3',
    {
      document: 0,
      kind: 'StatefulSet',
      namespace: 'cache',
      name: 'redis-master',
      container: 'metrics',
      field: 'spec.template.spec.containers[1].image',
      chartSource: 'redis/templates/master/application.yaml',
    },
  ],
  [
    'helm/redis.yaml',
    45,
    18,
    'ok',
    'docker.io/bitnami/os-shell:12-debian-12-r27',
    {
      document: 0,
      kind: 'StatefulSet',
      namespace: 'cache',
      name: 'redis-master',
      container: 'volume-permissions',
      field: 'spec.template.spec.initContainers[0].image',
      chartSource: 'redis/templates/master/application.yaml',
    },
  ],
  // keda/scaledjob.yaml
  [
    'keda/scaledjob.yaml',
    14,
    20,
    'ok',
    'ghcr.io/example/queue-consumer:3.1.0',
    {
      document: 0,
      kind: 'ScaledJob',
      namespace: 'workers',
      name: 'queue-consumer',
      container: 'consumer',
      field: 'spec.jobTargetRef.template.spec.containers[0].image',
    },
  ],
  // knative/service.yaml
  [
    'knative/service.yaml',
    10,
    18,
    'ok',
    'ghcr.io/knative/helloworld-go:latest',
    {
      document: 0,
      kind: 'Service',
      namespace: 'default',
      name: 'hello',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  // kubectl/get-pods.yaml
  [
    'kubectl/get-pods.yaml',
    15,
    14,
    'ok',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'kube-system',
      name: 'coredns-7db6d8ff4d-4bq2x',
      container: 'coredns',
      field: 'items[0].spec.containers[0].image',
    },
  ],
  [
    'kubectl/get-pods.yaml',
    32,
    14,
    'ok',
    'registry.k8s.io/etcd:3.5.15-0',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'kube-system',
      name: 'etcd-control-plane',
      container: 'etcd',
      field: 'items[1].spec.containers[0].image',
    },
  ],
  // kubectl/list.json
  [
    'kubectl/list.json',
    44,
    42,
    'ok',
    'docker.io/library/nginx:1.27.1',
    {
      document: 0,
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      container: 'web',
      field: 'items[0].spec.template.spec.containers[0].image',
    },
  ],
  [
    'kubectl/list.json',
    80,
    42,
    'ok',
    'docker.io/library/busybox:1.36.1',
    {
      document: 0,
      kind: 'StatefulSet',
      namespace: 'shop',
      name: 'db',
      container: 'init-perms',
      field: 'items[1].spec.template.spec.initContainers[0].image',
    },
  ],
  [
    'kubectl/list.json',
    86,
    42,
    'ok',
    'docker.io/bitnami/postgresql:16.4.0-debian-12-r9',
    {
      document: 0,
      kind: 'StatefulSet',
      namespace: 'shop',
      name: 'db',
      container: 'postgresql',
      field: 'items[1].spec.template.spec.containers[0].image',
    },
  ],
  [
    'kubectl/list.json',
    104,
    34,
    'ok',
    'docker.io/library/nginx:1.27.1',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'shop',
      name: 'web-5d4b-x7k2p',
      container: 'web',
      field: 'items[2].spec.containers[0].image',
    },
  ],
  // kubectl/pod.json
  [
    'kubectl/pod.json',
    1,
    128,
    'ok',
    'docker.io/library/alpine:3.20',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'default',
      name: 'debug',
      container: 'main',
      field: 'spec.containers[0].image',
    },
  ],
  [
    'kubectl/pod.json',
    1,
    194,
    'ok',
    'docker.io/nicolaka/netshoot:v0.13',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'default',
      name: 'debug',
      container: 'debugger',
      field: 'spec.ephemeralContainers[0].image',
    },
  ],
  // kustomize/build.yaml
  [
    'kustomize/build.yaml',
    50,
    16,
    'ok',
    'registry.example.com/shop/cart@sha256:4b2c7f1f1d3e4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3',
    {
      document: 3,
      kind: 'Deployment',
      namespace: 'shop',
      name: 'cart',
      container: 'cart',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'kustomize/build.yaml',
    54,
    16,
    'ok',
    'docker.io/envoyproxy/envoy:v1.31.0',
    {
      document: 3,
      kind: 'Deployment',
      namespace: 'shop',
      name: 'cart',
      container: 'envoy',
      field: 'spec.template.spec.containers[1].image',
    },
  ],
  [
    'kustomize/build.yaml',
    67,
    16,
    'ok',
    'docker.io/library/redis:7.4.0-alpine',
    {
      document: 4,
      kind: 'StatefulSet',
      namespace: 'shop',
      name: 'redis',
      container: 'redis',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'kustomize/build.yaml',
    79,
    16,
    'ok',
    'docker.io/timberio/vector:0.40.1-distroless-libc',
    {
      document: 5,
      kind: 'DaemonSet',
      namespace: 'shop',
      name: 'log-shipper',
      container: 'vector',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  // lists/images.txt
  ['lists/images.txt', 3, 1, 'ok', 'docker.io/library/nginx:1.27'],
  ['lists/images.txt', 4, 3, 'ok', 'quay.io/prometheus/busybox:latest'],
  [
    'lists/images.txt',
    5,
    1,
    'ok',
    'ghcr.io/example/tool@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
  ],
  ['lists/images.txt', 7, 1, 'ok', 'registry.example.com:5000/team/app:2.0.1'],
  ['lists/images.txt', 8, 1, 'invalid', 'not valid because spaces'],
  ['lists/images.txt', 9, 1, 'invalid', 'team/App:1'],
  ['lists/images.txt', 10, 1, 'unresolved', '${EXTRA_IMAGE}'],
  // lists/prewarm
  ['lists/prewarm', 1, 1, 'ok', 'docker.io/library/alpine:3.20'],
  ['lists/prewarm', 2, 1, 'ok', 'localhost:5000/cache/app:1'],
  // never/never.yaml
  [
    'never/never.yaml',
    53,
    18,
    'ok',
    'ghcr.io/example/real:1.0',
    {
      document: 3,
      kind: 'Deployment',
      name: 'real',
      container: 'real',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  // openkruise/workloads.yaml
  [
    'openkruise/workloads.yaml',
    12,
    18,
    'ok',
    'docker.io/library/nginx:1.27-alpine',
    {
      document: 0,
      kind: 'CloneSet',
      namespace: 'kruise',
      name: 'sample',
      container: 'nginx',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'openkruise/workloads.yaml',
    26,
    18,
    'ok',
    'docker.io/library/redis:7.4',
    {
      document: 1,
      kind: 'StatefulSet',
      namespace: 'kruise',
      name: 'advanced-sts',
      container: 'main',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'openkruise/workloads.yaml',
    35,
    14,
    'ok',
    'docker.io/fluent/fluent-bit:3.1.7',
    {
      document: 2,
      kind: 'SidecarSet',
      name: 'log-agent',
      container: 'fluent-bit',
      field: 'spec.containers[0].image',
    },
  ],
  [
    'openkruise/workloads.yaml',
    51,
    24,
    'ok',
    'docker.io/library/perl:5.40',
    {
      document: 3,
      kind: 'AdvancedCronJob',
      namespace: 'kruise',
      name: 'acj',
      container: 'pi',
      field: 'spec.template.broadcastJobTemplate.spec.template.spec.containers[0].image',
    },
  ],
  [
    'openkruise/workloads.yaml',
    59,
    10,
    'ok',
    'docker.io/library/nginx:1.27-alpine',
    { document: 4, kind: 'ImagePullJob', namespace: 'kruise', name: 'prepull', field: 'spec.image' },
  ],
  // prometheus-operator/operands.yaml
  [
    'prometheus-operator/operands.yaml',
    7,
    10,
    'ok',
    'quay.io/thanos/thanos:v0.36.1',
    { document: 0, kind: 'ThanosRuler', namespace: 'monitoring', name: 'thanos-ruler', field: 'spec.image' },
  ],
  [
    'prometheus-operator/operands.yaml',
    18,
    10,
    'ok',
    'quay.io/prometheus/prometheus:v2.54.1',
    { document: 1, kind: 'PrometheusAgent', namespace: 'monitoring', name: 'agent', field: 'spec.image' },
  ],
  [
    'prometheus-operator/operands.yaml',
    21,
    14,
    'ok',
    'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0',
    {
      document: 1,
      kind: 'PrometheusAgent',
      namespace: 'monitoring',
      name: 'agent',
      container: 'init-config-reloader',
      field: 'spec.initContainers[0].image',
    },
  ],
  [
    'prometheus-operator/operands.yaml',
    28,
    10,
    'invalid',
    'Quay.io/Prometheus/Alertmanager',
    { document: 2, kind: 'Alertmanager', name: 'main', field: 'spec.image' },
  ],
  // tekton/pipeline.yaml
  [
    'tekton/pipeline.yaml',
    11,
    12,
    'ok',
    'docker.io/library/alpine:3.20',
    { document: 0, kind: 'Task', namespace: 'ci', name: 'git-clone', field: 'spec.stepTemplate.image' },
  ],
  [
    'tekton/pipeline.yaml',
    17,
    14,
    'unresolved',
    '$(params.gitInitImage)',
    {
      document: 0,
      kind: 'Task',
      namespace: 'ci',
      name: 'git-clone',
      container: 'clone',
      field: 'spec.steps[0].image',
    },
  ],
  [
    'tekton/pipeline.yaml',
    22,
    14,
    'ok',
    'docker.io/library/bash:5.2',
    {
      document: 0,
      kind: 'Task',
      namespace: 'ci',
      name: 'git-clone',
      container: 'report',
      field: 'spec.steps[1].image',
    },
  ],
  [
    'tekton/pipeline.yaml',
    25,
    14,
    'ok',
    'docker.io/library/registry:2.8.3',
    {
      document: 0,
      kind: 'Task',
      namespace: 'ci',
      name: 'git-clone',
      container: 'registry',
      field: 'spec.sidecars[0].image',
    },
  ],
  [
    'tekton/pipeline.yaml',
    34,
    14,
    'ok',
    'gcr.io/kaniko-project/executor:v1.23.2@sha256:6ad4ec7ac7c4d4ba2e2f6063e0a2cd1ba4e3e19fa7d4d6f7e8da6e3f0a4d9b7c',
    {
      document: 1,
      kind: 'ClusterTask',
      name: 'kaniko',
      container: 'build-and-push',
      field: 'spec.steps[0].image',
    },
  ],
  [
    'tekton/pipeline.yaml',
    47,
    20,
    'ok',
    'docker.io/golangci/golangci-lint:v1.60.3',
    {
      document: 2,
      kind: 'Pipeline',
      namespace: 'ci',
      name: 'build',
      container: 'golangci',
      field: 'spec.tasks[0].taskSpec.steps[0].image',
    },
  ],
  [
    'tekton/pipeline.yaml',
    56,
    20,
    'ok',
    'docker.io/curlimages/curl:8.9.1',
    {
      document: 2,
      kind: 'Pipeline',
      namespace: 'ci',
      name: 'build',
      container: 'curl',
      field: 'spec.finally[0].taskSpec.steps[0].image',
    },
  ],
  [
    'tekton/pipeline.yaml',
    70,
    22,
    'ok',
    'docker.io/library/golang:1.23-bookworm',
    {
      document: 3,
      kind: 'PipelineRun',
      namespace: 'ci',
      container: 'test',
      field: 'spec.pipelineSpec.tasks[0].taskSpec.steps[0].image',
    },
  ],
  [
    'tekton/pipeline.yaml',
    81,
    16,
    'ok',
    'docker.io/library/ubuntu:24.04',
    {
      document: 4,
      kind: 'TaskRun',
      namespace: 'ci',
      name: 'echo-run',
      container: 'echo',
      field: 'spec.taskSpec.steps[0].image',
    },
  ],
  // templated/helm-unrendered.yaml
  [
    'templated/helm-unrendered.yaml',
    10,
    18,
    'unresolved',
    '{{ .Values.image.repository }}:{{ .Values.image.tag }}',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'app',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    12,
    18,
    'unresolved',
    '${APP_IMAGE}',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'env',
      field: 'spec.template.spec.containers[1].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    14,
    18,
    'unresolved',
    '$(params.image)',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'tekton',
      field: 'spec.template.spec.containers[2].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    16,
    18,
    'unresolved',
    '',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'empty',
      field: 'spec.template.spec.containers[3].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    18,
    11,
    'unresolved',
    '',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'absent',
      field: 'spec.template.spec.containers[4].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    20,
    18,
    'unresolved',
    '',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'tilde',
      field: 'spec.template.spec.containers[5].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    22,
    18,
    'unresolved',
    'repo/app:<no value>',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'novalue',
      field: 'spec.template.spec.containers[6].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    24,
    18,
    'invalid',
    'repo/app:',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'trailing-colon',
      field: 'spec.template.spec.containers[7].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    26,
    18,
    'invalid',
    '1.25',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'number',
      field: 'spec.template.spec.containers[8].image',
    },
  ],
  [
    'templated/helm-unrendered.yaml',
    29,
    13,
    'invalid',
    'repository: nginx',
    {
      document: 0,
      kind: 'Deployment',
      name: '{{ .Release.Name }}-web',
      container: 'mapping',
      field: 'spec.template.spec.containers[9].image',
    },
  ],
  // workloads/controllers.yaml
  [
    'workloads/controllers.yaml',
    10,
    18,
    'ok',
    'registry.k8s.io/pause:3.10',
    {
      document: 0,
      kind: 'ReplicaSet',
      name: 'rs',
      container: 'c',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'workloads/controllers.yaml',
    21,
    18,
    'ok',
    'registry.k8s.io/e2e-test-images/agnhost:2.52',
    {
      document: 1,
      kind: 'ReplicationController',
      name: 'rc',
      container: 'c',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'workloads/controllers.yaml',
    31,
    16,
    'ok',
    'mcr.microsoft.com/dotnet/runtime:8.0',
    {
      document: 2,
      kind: 'PodTemplate',
      name: 'pt',
      container: 'c',
      field: 'template.spec.containers[0].image',
    },
  ],
  [
    'workloads/controllers.yaml',
    46,
    22,
    'ok',
    'public.ecr.aws/docker/library/postgres:16-alpine',
    {
      document: 3,
      kind: 'CronJob',
      namespace: 'ops',
      name: 'backup',
      container: 'backup',
      field: 'spec.jobTemplate.spec.template.spec.containers[0].image',
    },
  ],
  [
    'workloads/controllers.yaml',
    59,
    18,
    'ok',
    'docker.io/library/zookeeper:3.9.2',
    {
      document: 4,
      kind: 'StatefulSet',
      namespace: 'data',
      name: 'zk',
      container: 'zk',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'workloads/controllers.yaml',
    71,
    18,
    'ok',
    'docker.io/library/busybox:1.36',
    {
      document: 5,
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'agent',
      container: 'sysctl',
      field: 'spec.template.spec.initContainers[0].image',
    },
  ],
  [
    'workloads/controllers.yaml',
    74,
    18,
    'ok',
    '[2001:db8::1]:5000/ops/agent:4.0',
    {
      document: 5,
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'agent',
      container: 'agent',
      field: 'spec.template.spec.containers[0].image',
    },
  ],
  [
    'workloads/controllers.yaml',
    89,
    22,
    'ok',
    'ghcr.io/example/migrate:2.0',
    {
      document: 6,
      kind: 'Job',
      namespace: 'data',
      name: 'migrate',
      container: 'migrate',
      field: 'items[0].spec.template.spec.containers[0].image',
    },
  ],
  // workloads/docker-hub-spellings.yaml
  [
    'workloads/docker-hub-spellings.yaml',
    7,
    24,
    'ok',
    'docker.io/library/nginx:latest',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'a', field: 'spec.containers[0].image' },
  ],
  [
    'workloads/docker-hub-spellings.yaml',
    8,
    24,
    'ok',
    'docker.io/library/nginx:latest',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'b', field: 'spec.containers[1].image' },
  ],
  [
    'workloads/docker-hub-spellings.yaml',
    9,
    24,
    'ok',
    'docker.io/library/nginx:latest',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'c', field: 'spec.containers[2].image' },
  ],
  [
    'workloads/docker-hub-spellings.yaml',
    10,
    24,
    'ok',
    'docker.io/library/nginx:latest',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'd', field: 'spec.containers[3].image' },
  ],
  [
    'workloads/docker-hub-spellings.yaml',
    11,
    24,
    'ok',
    'docker.io/library/nginx:latest',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'e', field: 'spec.containers[4].image' },
  ],
  [
    'workloads/docker-hub-spellings.yaml',
    12,
    24,
    'ok',
    'docker.io/library/nginx:latest',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'f', field: 'spec.containers[5].image' },
  ],
  [
    'workloads/docker-hub-spellings.yaml',
    13,
    24,
    'ok',
    'docker.io/library/nginx@sha256:287ff321f9e3cde74b600cc26197424404157a72043226cbbf07ee8304a2c720',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'g', field: 'spec.containers[6].image' },
  ],
  [
    'workloads/docker-hub-spellings.yaml',
    14,
    24,
    'ok',
    'docker.io/library/nginx:latest@sha256:287ff321f9e3cde74b600cc26197424404157a72043226cbbf07ee8304a2c720',
    { document: 0, kind: 'Pod', name: 'spellings', container: 'h', field: 'spec.containers[7].image' },
  ],
  // workloads/pod.yaml
  [
    'workloads/pod.yaml',
    14,
    14,
    'ok',
    'docker.io/library/busybox:1.36',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'demo',
      name: 'everything',
      container: 'init',
      field: 'spec.initContainers[0].image',
    },
  ],
  [
    'workloads/pod.yaml',
    17,
    14,
    'ok',
    'ghcr.io/example/app:1.2.3',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'demo',
      name: 'everything',
      container: 'app',
      field: 'spec.containers[0].image',
    },
  ],
  [
    'workloads/pod.yaml',
    19,
    14,
    'ok',
    'docker.io/library/nginx:latest',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'demo',
      name: 'everything',
      container: 'no-tag',
      field: 'spec.containers[1].image',
    },
  ],
  [
    'workloads/pod.yaml',
    21,
    14,
    'ok',
    'docker.io/library/nginx:latest',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'demo',
      name: 'everything',
      container: 'hub-alias',
      field: 'spec.containers[2].image',
    },
  ],
  [
    'workloads/pod.yaml',
    24,
    14,
    'ok',
    'docker.io/nicolaka/netshoot:v0.13',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'demo',
      name: 'everything',
      container: 'debugger',
      field: 'spec.ephemeralContainers[0].image',
    },
  ],
  [
    'workloads/pod.yaml',
    29,
    20,
    'ok',
    'quay.io/example/models:v1',
    {
      document: 0,
      kind: 'Pod',
      namespace: 'demo',
      name: 'everything',
      field: 'spec.volumes[0].image.reference',
    },
  ],
]

/** Reasons asserted for the references that are not ok. */
const REASONS: Record<string, string> = {
  '': 'image is empty',
  '{{ .Values.image.repository }}:{{ .Values.image.tag }}': 'helm template',
  '{{ .Values.widget.image }}': 'helm template',
  '{{inputs.parameters.image}}': 'Argo Workflows parameter',
  '${APP_IMAGE}': 'envsubst',
  '${IMAGE}': 'envsubst',
  '${TOOLS_IMAGE}': 'envsubst',
  '${EXTRA_IMAGE}': 'envsubst',
  '${REGISTRY:-docker.io}/library/redis:${REDIS_TAG:-7}': 'docker compose config',
  '$(params.image)': 'Tekton',
  '$(params.gitInitImage)': 'Tekton',
  'repo/app:<no value>': 'missing value',
  'repo/app:': 'tag is empty',
  '1.25': 'image must be a string, got a number',
  'repository: nginx': 'image must be a string, got a mapping',
  'Quay.io/Prometheus/Alertmanager': 'repository name must be lowercase',
  'team/App:1': 'repository name must be lowercase',
  'not valid because spaces': 'contains whitespace at position 4',
  'ghcr.io/example/plain :1.0': 'contains whitespace at position 22',
}

function rowsOf(ex: Extraction): Row[] {
  const rows: Row[] = []
  for (const img of ex.images)
    for (const s of img.sources) {
      // Where the text is (span, unwritable, aliasOf) has its own test below.
      const { file, line, column, span: _s, unwritable: _u, aliasOf: _a, ...extra } = s
      rows.push([
        file,
        line,
        column,
        img.status,
        img.key,
        ...(Object.keys(extra).length ? [extra] : []),
      ] as Row)
    }
  return rows.sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2])
}

function corpusFiles(dir = CORPUS): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? corpusFiles(p) : [relative(CORPUS, p).split('\\').join('/')]
  })
}

describe('extraction corpus', async () => {
  const result = await extract({ workspace: CORPUS, paths: PATHS })

  it('holds at least 40 files, all of them read', () => {
    const files = corpusFiles()
    expect(files.length).toBeGreaterThanOrEqual(40)
    expect(result.files).toBe(files.length)
    expect(result.bytes).toBe(files.reduce((n, f) => n + statSync(join(CORPUS, f)).size, 0))
  })

  it('finds exactly the expected references at their exact file:line:column', () => {
    expect(rowsOf(result)).toEqual(EXPECTED)
  })

  it('every corpus file with an image field is covered by an expectation', () => {
    const covered = new Set(EXPECTED.map((r) => r[0]))
    for (const f of corpusFiles()) {
      if (/image|:/.test(readFileSync(join(CORPUS, f), 'utf8'))) expect(covered, f).toContain(f)
    }
  })

  it('gives each invalid or unresolved reference its reason', () => {
    const notOk = result.images.filter((i) => i.status !== 'ok')
    expect(notOk.map((i) => i.key).sort()).toEqual(Object.keys(REASONS).sort())
    for (const img of notOk) expect(img.reason, img.key).toContain(REASONS[img.key])
    for (const img of result.images.filter((i) => i.status === 'ok')) {
      expect(img.reason).toBeUndefined()
      expect(img.reference).toBeDefined()
    }
  })

  it('reports only the scalar and list documents as notices', () => {
    expect(result.notices).toEqual([
      {
        level: 'notice',
        file: 'formats/documents.yaml',
        line: 16,
        column: 1,
        message: expect.stringContaining('document is a plain value, not a mapping'),
      },
      {
        level: 'notice',
        file: 'formats/documents.yaml',
        line: 18,
        column: 1,
        message: expect.stringContaining('document is a list of plain values'),
      },
    ])
  })

  it('deduplicates by the normalised reference and keeps every occurrence', () => {
    const nginx = result.images.filter((i) => i.key === 'docker.io/library/nginx:latest')
    expect(nginx).toHaveLength(1)
    expect(nginx[0]?.sources.map((s) => `${s.file}:${s.line}`)).toEqual([
      'workloads/docker-hub-spellings.yaml:7',
      'workloads/docker-hub-spellings.yaml:8',
      'workloads/docker-hub-spellings.yaml:9',
      'workloads/docker-hub-spellings.yaml:10',
      'workloads/docker-hub-spellings.yaml:11',
      'workloads/docker-hub-spellings.yaml:12',
      'workloads/pod.yaml:19',
      'workloads/pod.yaml:21',
    ])
    expect(nginx[0]?.raw).toBe('nginx')
    const keys = result.images.map((i) => `${i.status} ${i.key}`)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('orders images by their first occurrence, files in the order read', () => {
    // The directory scan first (sorted by path), then the list files named after it.
    const manifests = corpusFiles()
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()
    const fileOrder = [...manifests, 'lists/images.txt', 'lists/prewarm']
    const rank = (s: Source) => [fileOrder.indexOf(s.file), s.line, s.column] as const
    const firsts = result.images.map((i) => rank(i.sources[0] as Source))
    const sorted = [...firsts].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
    expect(firsts).toEqual(sorted)
    for (const img of result.images) {
      const ranks = img.sources.map(rank)
      expect(ranks).toEqual([...ranks].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]))
    }
  })

  it("records each occurrence's own text (span), or why it cannot be replaced in place", () => {
    const texts = new Map<string, string>()
    const textOf = (file: string) => {
      let t = texts.get(file)
      if (t === undefined) {
        t = readFileSync(join(CORPUS, file), 'utf8')
        texts.set(file, t)
      }
      return t
    }
    const unwritable: string[] = []
    let spans = 0
    for (const img of result.images)
      for (const s of img.sources) {
        if (s.span) {
          spans++
          expect(s.unwritable, `${s.file}:${s.line}`).toBeUndefined()
          const text = textOf(s.file).slice(s.span.start, s.span.end)
          // The characters at the span are the reference as written there (any spelling of the same image).
          if (img.status === 'ok') expect(parseReference(text), `${s.file}:${s.line}`).toEqual(img.reference)
          else expect(text).toBe(img.raw)
          // …and the span starts where the position says, after an opening quote or a block scalar header
          // (a byte order mark counts in the span, not in the column).
          const file = textOf(s.file)
          const bom = file.charCodeAt(0) === 0xfeff ? 1 : 0
          const lineStart =
            file
              .split('\n')
              .slice(0, s.line - 1)
              .join('\n').length + (s.line > 1 ? 1 : 0)
          const at = (s.line === 1 ? bom : lineStart) + s.column - 1
          expect(file.slice(at, s.span.start), `${s.file}:${s.line}`).toMatch(
            /^(?:["']|[|>][-+0-9]*[ \t]*\r?\n *)?$/,
          )
        } else if (s.unwritable) {
          unwritable.push(`${s.file}:${s.line}:${s.column} ${s.unwritable}${s.aliasOf ? ' (aliasOf)' : ''}`)
          if (s.aliasOf) {
            const anchored = textOf(s.file).slice(s.aliasOf.start, s.aliasOf.end)
            expect(parseReference(anchored)).toEqual(img.reference)
          }
        }
      }
    expect(spans).toBeGreaterThan(140)
    expect(unwritable.sort()).toEqual([
      'anchors/anchors.yaml:17:18 reached through the alias *img (aliasOf)',
      'anchors/anchors.yaml:18:15 reached through the alias *app (aliasOf)',
      'anchors/anchors.yaml:20:11 reached through the alias *app (aliasOf)',
      'anchors/anchors.yaml:21:16 reached through the alias *override (aliasOf)',
      'anchors/merge-first.yaml:11:11 reached through the alias *base (aliasOf)',
      'compose/docker-compose.yml:13:9 reached through the alias *common (aliasOf)',
      'formats/block-scalar.yaml:14:14 a plain value spread over several lines',
      'formats/escapes.yaml:10:14 written with escapes inside double quotes',
      'formats/escapes.yaml:8:14 written with escapes inside double quotes',
    ])
    // Every kind of text that can be replaced in place has a span: quoted, block, flow, JSON, CRLF, BOM, lists.
    const spanned = new Set(result.images.flatMap((i) => i.sources.filter((s) => s.span).map((s) => s.file)))
    for (const f of [
      'formats/block-scalar.yaml',
      'formats/flow-style.yaml',
      'formats/deployment.json',
      'formats/crlf.yaml',
      'formats/bom.yaml',
      'formats/escapes.yaml',
      'compose/compose.yaml',
      'lists/images.txt',
      'kubectl/list.json',
    ])
      expect(spanned, f).toContain(f)
  })

  it('takes the same references with and without the pre-scan (the speed tricks change nothing)', () => {
    for (const file of corpusFiles()) {
      const text = readFileSync(join(CORPUS, file), 'utf8')
      const slow = new Extractor()
      slow.addText(text, file, { prescan: false })
      // As configured, and pruning whenever anything at all can be dropped.
      for (const minGain of [undefined, 0]) {
        const fast = new Extractor()
        fast.addText(text, file, minGain === undefined ? {} : { minGain })
        expect(fast.result(), file).toEqual(slow.result())
      }
    }
  })
})
