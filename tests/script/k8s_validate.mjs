// Validates rendered Kubernetes manifests offline.
//
//   node tests/script/k8s_validate.mjs OVERLAY RENDERED.yaml
//
// 1. Every object is validated against the Kubernetes schemas bundled in the
//    kubernetes-models package (types, required fields, enums).
// 2. Project rules the schemas cannot express: hardened pods (non-root,
//    read-only root filesystem, all capabilities dropped, seccomp
//    RuntimeDefault, no service-account token, resources), native gRPC
//    probes on the container's gRPC port (readiness = the service name,
//    liveness = ""), Service ports that resolve to container ports,
//    selectors that match, termination grace >= shutdown delay + grace,
//    egress limited to DNS and HTTPS, and a Secret template without a key.
// Prints one "ok - ..." line per check and exits 1 on the first failure.
import fs from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [overlay, file] = process.argv.slice(2);
if (!overlay || !file) {
  console.error('usage: k8s_validate.mjs OVERLAY RENDERED.yaml');
  process.exit(2);
}

let failures = 0;
function check(condition, what) {
  if (condition) {
    console.log(`ok - ${overlay}: ${what}`);
  } else {
    console.log(`FAIL - ${overlay}: ${what}`);
    failures++;
  }
}

const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
const objects = [];
for (const doc of docs) {
  if (doc.errors.length > 0) {
    console.error(`YAML error: ${doc.errors[0].message}`);
    process.exit(1);
  }
  const object = doc.toJS();
  if (object) objects.push(object);
}
check(objects.length > 0, `${objects.length} objects rendered`);

// 1. Schema validation.
for (const object of objects) {
  const name = `${object.kind}/${object.metadata?.name}`;
  const group = object.apiVersion;  // "v1" or "apps/v1" -> module path
  let Model;
  try {
    Model = (await import(`kubernetes-models/${group}/${object.kind}`))[object.kind];
  } catch (e) {
    check(false, `${name}: no schema for ${group} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
    check(true, `${name} matches the ${group} ${object.kind} schema`);
  } catch (e) {
    check(false, `${name} schema: ${e.message.split('\n')[0]}`);
  }
}

const byKind = (kind) => objects.filter((o) => o.kind === kind);
const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

// 2. Pods.
const configMaps = byKind('ConfigMap');
const envOf = (container) => {
  const env = {};
  for (const from of container.envFrom ?? []) {
    const cm = configMaps.find((c) => c.metadata.name === from.configMapRef?.name);
    Object.assign(env, cm?.data ?? {});
  }
  for (const e of container.env ?? []) env[e.name] = e.value;
  return env;
};
const seconds = (text) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text ?? '0s');
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2]];
};

for (const deployment of byKind('Deployment')) {
  const name = deployment.metadata.name;
  const pod = deployment.spec.template;
  const spec = pod.spec;
  check(matches(deployment.spec.selector.matchLabels, pod.metadata.labels),
        `${name}: selector matches the pod labels`);
  check(spec.securityContext?.runAsNonRoot === true, `${name}: runAsNonRoot`);
  check(spec.securityContext?.seccompProfile?.type === 'RuntimeDefault',
        `${name}: seccomp RuntimeDefault`);
  check(spec.automountServiceAccountToken === false,
        `${name}: no service-account token`);
  for (const c of spec.containers) {
    const sc = c.securityContext ?? {};
    check(sc.readOnlyRootFilesystem === true, `${name}/${c.name}: read-only root filesystem`);
    check(sc.allowPrivilegeEscalation === false, `${name}/${c.name}: no privilege escalation`);
    check((sc.capabilities?.drop ?? []).includes('ALL'), `${name}/${c.name}: drops ALL capabilities`);
    check(sc.privileged !== true, `${name}/${c.name}: not privileged`);
    check(c.resources?.requests?.cpu && c.resources?.requests?.memory &&
          c.resources?.limits?.cpu && c.resources?.limits?.memory,
          `${name}/${c.name}: resource requests and limits`);
    const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    const containerPorts = (c.ports ?? []).map((p) => p.containerPort);
    for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const probe = c[kind];
      if (!probe) continue;
      const port = probe.grpc?.port ?? probe.tcpSocket?.port ?? probe.httpGet?.port;
      const resolved = typeof port === 'string' ? ports[port] : port;
      check(containerPorts.includes(resolved),
            `${name}/${c.name}: ${kind} port ${port} is a container port`);
    }
    if (ports.grpc !== undefined) {
      // The gRPC server: native gRPC probes on the gRPC port.
      check(c.readinessProbe?.grpc?.port === ports.grpc &&
            c.readinessProbe.grpc.service === 'tracktry.v1.TrackingService',
            `${name}/${c.name}: readiness = gRPC health of tracktry.v1.TrackingService on port ${ports.grpc}`);
      check(c.livenessProbe?.grpc?.port === ports.grpc && !c.livenessProbe.grpc.service,
            `${name}/${c.name}: liveness = gRPC health "" on port ${ports.grpc}`);
      const env = envOf(c);
      const listenPort = Number((env.TRACKTRY_LISTEN ?? '0.0.0.0:50051').split(':').pop());
      check(listenPort === ports.grpc, `${name}/${c.name}: TRACKTRY_LISTEN port = container grpc port`);
      if (env.TRACKTRY_METRICS_LISTEN) {
        check(Number(env.TRACKTRY_METRICS_LISTEN.split(':').pop()) === ports.metrics,
              `${name}/${c.name}: TRACKTRY_METRICS_LISTEN port = container metrics port`);
        const annotated = Number(pod.metadata.annotations?.['prometheus.io/port']);
        check(annotated === ports.metrics, `${name}: prometheus.io/port = metrics port`);
      }
      const drain = seconds(env.TRACKTRY_SHUTDOWN_DELAY ?? '0s') + seconds(env.TRACKTRY_SHUTDOWN_GRACE ?? '10s');
      check(spec.terminationGracePeriodSeconds > drain,
            `${name}: terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds} > drain ${drain}s`);
    }
  }
}

// 3. Services resolve to container ports of the pods they select.
for (const service of byKind('Service')) {
  const name = service.metadata.name;
  const pods = byKind('Deployment').filter((d) =>
    matches(service.spec.selector, d.spec.template.metadata.labels));
  check(pods.length === 1, `Service ${name} selects exactly one Deployment`);
  for (const port of service.spec.ports) {
    check(Boolean(port.name), `Service ${name}: port ${port.port} is named`);
    const containerPorts = pods.flatMap((d) => d.spec.template.spec.containers.flatMap((c) => c.ports ?? []));
    const target = port.targetPort ?? port.port;
    const hit = containerPorts.find((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target));
    check(hit !== undefined, `Service ${name}: port ${port.name} -> targetPort ${target} is a container port`);
    if (port.name === 'grpc') {
      check(hit?.containerPort === port.port, `Service ${name}: grpc port ${port.port} = container port ${hit?.containerPort}`);
    }
  }
}

// 4. HPA, PDB, NetworkPolicy, Secret.
for (const hpa of byKind('HorizontalPodAutoscaler')) {
  const target = find(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
  check(target !== undefined, `HPA ${hpa.metadata.name} targets an existing ${hpa.spec.scaleTargetRef.kind}`);
  check(hpa.spec.minReplicas <= hpa.spec.maxReplicas, `HPA ${hpa.metadata.name}: min <= max`);
}
for (const pdb of byKind('PodDisruptionBudget')) {
  const selected = byKind('Deployment').filter((d) =>
    matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels));
  check(selected.length === 1, `PDB ${pdb.metadata.name} selects one Deployment`);
}
const server = find('Deployment', 'tracktry-grpc');
check(server !== undefined, 'the tracktry-grpc Deployment exists');
const policy = find('NetworkPolicy', 'tracktry-grpc');
check(policy !== undefined && matches(policy.spec.podSelector.matchLabels, server?.spec.template.metadata.labels),
      'NetworkPolicy tracktry-grpc selects the server pods');
if (policy) {
  check(policy.spec.policyTypes.includes('Ingress') && policy.spec.policyTypes.includes('Egress'),
        'NetworkPolicy restricts ingress and egress');
  const egressPorts = policy.spec.egress.flatMap((rule) => (rule.ports ?? []).map((p) => `${p.port}/${p.protocol}`));
  check(policy.spec.egress.every((rule) => (rule.ports ?? []).length > 0) &&
        egressPorts.every((p) => ['53/UDP', '53/TCP', '443/TCP'].includes(p)),
        `egress only DNS and HTTPS (${egressPorts.join(', ')})`);
  const grpcPort = server?.spec.template.spec.containers[0].ports.find((p) => p.name === 'grpc').containerPort;
  const grpcRule = policy.spec.ingress.find((rule) => rule.ports.some((p) => p.port === grpcPort));
  check(grpcRule !== undefined && grpcRule.from.every((peer) =>
          peer.podSelector?.matchLabels?.['tracktry-grpc/client'] === 'true'),
        'gRPC ingress only from pods labelled tracktry-grpc/client=true');
}
const secret = find('Secret', 'tracktry-grpc-secrets');
check(secret !== undefined, 'Secret tracktry-grpc-secrets exists');
const apiKey = secret?.stringData?.['api-key'] ?? '';
check(/REPLACE|emulator/i.test(apiKey) && secret?.data === undefined,
      `Secret holds no real key ("${apiKey}")`);

if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
