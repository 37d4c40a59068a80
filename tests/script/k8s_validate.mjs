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
//    egress limited to DNS, HTTPS and named in-cluster peers.
// 3. Secrets: only the dev overlay renders a Secret (no placeholder in it);
//    base and prod reference the operator's tracktry-grpc-secrets. Secrets
//    reach the server only as mounted files (no env, no subPath, so a
//    rotated Secret updates in place), every reference resolves, and every
//    TRACKTRY_*_FILE path is a key of a mounted secret volume.
// 4. Fleet mode: the server has TRACKTRY_REDIS_ADDRESS/_PASSWORD_FILE/
//    _NAMESPACE, TRACKTRY_RATE_SHARE x maxReplicas <= 1; base and dev run a
//    hardened Redis (maxmemory ~80% of its limit, allkeys-lru, no
//    persistence, password from the Secret, probes, a Service on the
//    address's port, ingress only from the server, server egress to it);
//    prod renders no Redis and allows egress to the operator's address.
// Prints one "ok - ..." line per check and exits 1 if any check failed.
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
  check(spec.securityContext?.runAsUser !== 0 && spec.containers.every((c) => c.securityContext?.runAsUser !== 0),
        `${name}: no container runs as uid 0`);
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
      if (!probe || probe.exec) continue;
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
// 5. Secrets.
const OUT_OF_BAND_SECRET = 'tracktry-grpc-secrets';
const OUT_OF_BAND_KEYS = ['api-key', 'auth-tokens', 'redis-password'];  // docs/kubernetes.md
const decode = (value) => Buffer.from(value ?? '', 'base64').toString('utf8');
const secretKeys = (s) => Object.keys({ ...(s.data ?? {}), ...(s.stringData ?? {}) });
const secretValues = (s) => ({
  ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decode(v)])),
  ...(s.stringData ?? {}),
});
const secrets = byKind('Secret');
if (overlay === 'dev') {
  for (const s of secrets) {
    const text = Object.values(secretValues(s)).join('\n');
    check(!/REPLACE/i.test(text), `Secret ${s.metadata.name} holds no placeholder ("REPLACE")`);
  }
} else {
  check(secrets.length === 0,
        `no Secret rendered (found: ${secrets.map((s) => s.metadata.name).join(', ') || 'none'}); ` +
        `the operator creates ${OUT_OF_BAND_SECRET} out of band`);
}
// Which keys a Secret name offers: the rendered object's, else (base, prod)
// the documented keys of the out-of-band Secret.
const keysOfSecret = (name) => {
  const rendered = secrets.find((s) => s.metadata.name === name);
  if (rendered) return secretKeys(rendered);
  if (overlay !== 'dev' && name === OUT_OF_BAND_SECRET) return OUT_OF_BAND_KEYS;
  return undefined;
};
const workloads = byKind('Deployment');
for (const d of workloads) {
  const name = d.metadata.name;
  const spec = d.spec.template.spec;
  const secretVolumes = new Map();  // volume name -> {secretName, keys it projects}
  for (const v of spec.volumes ?? []) {
    const sources = v.secret ? [{ secret: { name: v.secret.secretName, items: v.secret.items } }]
                             : (v.projected?.sources ?? []).filter((src) => src.secret);
    if (sources.length === 0) continue;
    const keys = [];
    for (const src of sources) {
      const available = keysOfSecret(src.secret.name);
      check(available !== undefined,
            `${name}: volume ${v.name} -> Secret ${src.secret.name} ` +
            (overlay === 'dev' ? 'is rendered' : 'is the one created out of band'));
      for (const item of src.secret.items ?? []) {
        check(available?.includes(item.key), `${name}: volume ${v.name} item ${item.key} is a key of ${src.secret.name}`);
        keys.push(item.path);
      }
      if (!src.secret.items) keys.push(...(available ?? []));
    }
    secretVolumes.set(v.name, { keys });
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const m of c.volumeMounts ?? []) {
      if (!secretVolumes.has(m.name)) continue;
      check(m.subPath === undefined && m.subPathExpr === undefined,
            `${name}/${c.name}: secret volume ${m.name} mounted without subPath (updates in place)`);
    }
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      check(keysOfSecret(ref.name)?.includes(ref.key), `${name}/${c.name}: env ${e.name} -> ${ref.name}/${ref.key} resolves`);
    }
    for (const from of c.envFrom ?? []) {
      if (from.secretRef) check(keysOfSecret(from.secretRef.name) !== undefined, `${name}/${c.name}: envFrom ${from.secretRef.name} resolves`);
    }
  }
  d.secretFiles = (c) => {  // absolute path -> true for every secret file c sees
    const files = new Set();
    for (const m of c.volumeMounts ?? []) {
      const v = secretVolumes.get(m.name);
      if (!v || m.subPath || m.subPathExpr) continue;
      for (const key of v.keys) files.add(`${m.mountPath.replace(/\/$/, '')}/${key}`);
    }
    return files;
  };
}

// 6. The server: secrets as files, fleet-mode settings, fallback share.
const serverContainer = server?.spec.template.spec.containers.find((c) => (c.ports ?? []).some((p) => p.name === 'grpc'));
const serverEnv = serverContainer ? envOf(serverContainer) : {};
const serverLabels = server?.spec.template.metadata.labels ?? {};
if (serverContainer) {
  check(!(serverContainer.env ?? []).some((e) => e.valueFrom?.secretKeyRef) &&
        !(serverContainer.envFrom ?? []).some((f) => f.secretRef),
        'server: no secret in env (mounted files only, so rotation needs no restart)');
  const files = server.secretFiles(serverContainer);
  for (const variable of ['TRACKTRY_API_KEY_FILE', 'TRACKTRY_AUTH_TOKENS_FILE', 'TRACKTRY_REDIS_PASSWORD_FILE']) {
    const path = serverEnv[variable];
    if (path === undefined && variable === 'TRACKTRY_AUTH_TOKENS_FILE') continue;
    check(files.has(path), `server: ${variable} ${path} is a key of a mounted secret volume`);
  }
  check(/^[A-Za-z0-9.-]+:\d+$/.test(serverEnv.TRACKTRY_REDIS_ADDRESS ?? ''),
        `server: TRACKTRY_REDIS_ADDRESS is host:port (${serverEnv.TRACKTRY_REDIS_ADDRESS})`);
  check(Boolean(serverEnv.TRACKTRY_REDIS_PASSWORD_FILE), 'server: TRACKTRY_REDIS_PASSWORD_FILE is set');
  check(/^[A-Za-z0-9_.:-]+$/.test(serverEnv.TRACKTRY_REDIS_NAMESPACE ?? ''),
        `server: TRACKTRY_REDIS_NAMESPACE is set (${serverEnv.TRACKTRY_REDIS_NAMESPACE})`);
  // The account's rate: with Redis the replicas share it; while Redis is
  // unreachable each takes TRACKTRY_RATE_SHARE of it, at most maxReplicas.
  const hpa = byKind('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === server.metadata.name);
  const maxReplicas = hpa?.spec.maxReplicas ?? server.spec.replicas ?? 1;
  const share = Number(serverEnv.TRACKTRY_RATE_SHARE ?? '1');
  check(share > 0 && share * maxReplicas <= 1,
        `server: fallback TRACKTRY_RATE_SHARE ${share} x maxReplicas ${maxReplicas} = ${(share * maxReplicas).toFixed(4)} <= 1`);
  check(share * maxReplicas >= 0.9,
        `server: fallback share x maxReplicas >= 0.9 (the fallback uses most of the account's rate)`);
}

// 7. Redis.
const argv = (c) => [...(c.command ?? []), ...(c.args ?? [])];
const optionValue = (c, option) => {
  const tokens = argv(c);
  const i = tokens.indexOf(`--${option}`);
  if (i >= 0) return tokens[i + 1];
  const m = new RegExp(`--${option}[ =]('[^']*'|"[^"]*"|\\S+)`).exec(tokens.join(' '));
  return m ? m[1].replace(/^['"]|['"]$/g, '') : undefined;
};
const bytes = (quantity) => {  // Kubernetes quantities and Redis sizes
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(String(quantity ?? '').trim());
  if (!m) return NaN;
  const unit = {
    '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3,
    kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, m: 1e6, g: 1e9,
  }[m[2]] ?? { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[m[2].toLowerCase()];
  return unit === undefined ? NaN : Number(m[1]) * unit;
};
const isRedis = (c) => /(^|\/)redis(:|@|$)/.test(c.image ?? '') || argv(c).join(' ').includes('redis-server');
const redisDeployments = workloads.filter((d) => d.spec.template.spec.containers.some(isRedis));
const redisServices = byKind('Service').filter((s) => /redis/.test(s.metadata.name) ||
  redisDeployments.some((d) => matches(s.spec.selector, d.spec.template.metadata.labels)));
const [redisHost, redisPortText] = (serverEnv.TRACKTRY_REDIS_ADDRESS ?? ':').split(':');
const redisAddressPort = Number(redisPortText);
// NetworkPolicy egress rules that apply to the server pods.
const serverEgress = byKind('NetworkPolicy')
  .filter((p) => (p.spec.policyTypes ?? []).includes('Egress') && matches(p.spec.podSelector.matchLabels, serverLabels))
  .flatMap((p) => (p.spec.egress ?? []).map((rule) => ({ policy: p.metadata.name, rule })));
for (const { policy: name, rule } of serverEgress) {
  const ports = (rule.ports ?? []).map((p) => p.port);
  check(ports.length > 0, `NetworkPolicy ${name}: every server egress rule names its ports`);
  if (ports.some((p) => p !== 53 && p !== 443)) {
    check((rule.to ?? []).length > 0, `NetworkPolicy ${name}: egress to port(s) ${ports.join(', ')} only to named peers`);
  }
}

if (overlay === 'prod') {
  check(redisDeployments.length === 0 && redisServices.length === 0 &&
        !objects.some((o) => /redis/.test(o.metadata?.name ?? '') && o.kind !== 'NetworkPolicy'),
        'no Redis workload or Service (operator-provided Redis)');
  check(!objects.some((o) => o.kind === 'Service' && o.metadata.name === redisHost),
        `TRACKTRY_REDIS_ADDRESS ${serverEnv.TRACKTRY_REDIS_ADDRESS} is not a Service of this overlay`);
  check(serverEgress.some(({ rule }) => (rule.ports ?? []).some((p) => p.port === redisAddressPort) &&
          (rule.to ?? []).length > 0 &&
          rule.to.every((peer) => peer.ipBlock || peer.namespaceSelector)),
        `server egress to the operator's Redis port ${redisAddressPort} (ipBlock or namespaceSelector)`);
} else {
  check(redisDeployments.length === 1, `${overlay} deploys one Redis (${redisDeployments.map((d) => d.metadata.name).join(', ')})`);
}
for (const redis of redisDeployments) {
  const name = redis.metadata.name;
  const spec = redis.spec.template.spec;
  const labels = redis.spec.template.metadata.labels;
  const c = spec.containers.find(isRedis);
  const runAs = c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
  check(runAs !== undefined && runAs !== 0, `${name}: runs as a non-root uid (${runAs})`);
  check(redis.spec.replicas === 1, `${name}: 1 replica`);
  const dataMount = (c.volumeMounts ?? []).find((m) => m.mountPath === '/data');
  check(dataMount && (spec.volumes ?? []).some((v) => v.name === dataMount.name && v.emptyDir),
        `${name}: /data is an emptyDir (read-only root filesystem)`);
  const limit = bytes(c.resources?.limits?.memory);
  const maxmemory = bytes(optionValue(c, 'maxmemory'));
  check(maxmemory > 0 && maxmemory >= 0.5 * limit && maxmemory <= 0.9 * limit,
        `${name}: --maxmemory ${optionValue(c, 'maxmemory')} is 50-90% of the ${c.resources?.limits?.memory} limit ` +
        `(${Math.round((100 * maxmemory) / limit)}%)`);
  check(optionValue(c, 'maxmemory-policy') === 'allkeys-lru', `${name}: --maxmemory-policy allkeys-lru`);
  check(optionValue(c, 'save') === '', `${name}: --save '' (no snapshots)`);
  check(optionValue(c, 'appendonly') === 'no', `${name}: --appendonly no`);
  // requirepass from the Secret: a mounted file, or (accepted for Redis,
  // which cannot read a password file) $(VAR) of a secretKeyRef env.
  const script = argv(c).join(' ');
  const files = redis.secretFiles(c);
  const fromFile = [...files].some((f) => f.endsWith('/redis-password') && script.includes(f));
  const passEnv = (c.env ?? []).find((e) => e.valueFrom?.secretKeyRef?.key === 'redis-password');
  const fromEnv = passEnv && new RegExp(`requirepass\\S*\\s+"?\\$\\(${passEnv.name}\\)`).test(script);
  check(/requirepass/.test(script) && (fromFile || fromEnv),
        `${name}: requirepass comes from the Secret key redis-password`);
  for (const kind of ['readinessProbe', 'livenessProbe']) {
    const probe = c[kind];
    check(probe?.exec || probe?.tcpSocket, `${name}: ${kind} (exec or tcpSocket)`);
    const text = (probe?.exec?.command ?? []).join(' ');
    if (/redis-cli/.test(text)) {
      check(/ping/i.test(text) && /REDISCLI_AUTH|\s-a\s|--pass|--askpass/.test(text),
            `${name}: ${kind} runs redis-cli ping with the password`);
    }
  }
  const redisPorts = (c.ports ?? []);
  // The Service the server's address names.
  const service = byKind('Service').find((s) => s.metadata.name === redisHost);
  check(service && matches(service.spec.selector, labels),
        `TRACKTRY_REDIS_ADDRESS host ${redisHost} is the Service selecting ${name}`);
  const servicePort = service?.spec.ports.find((p) => p.port === redisAddressPort);
  const target = servicePort?.targetPort ?? servicePort?.port;
  const containerPort = redisPorts.find((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target))?.containerPort;
  check(containerPort !== undefined,
        `Service ${redisHost}: port ${redisAddressPort} resolves to container port ${containerPort} of ${name}`);
  // Ingress: only the server pods, only the Redis port.
  const ingress = byKind('NetworkPolicy').filter((p) => matches(p.spec.podSelector.matchLabels, labels) &&
    (p.spec.policyTypes ?? []).includes('Ingress'));
  check(ingress.length > 0, `${name}: a NetworkPolicy restricts its ingress`);
  const rules = ingress.flatMap((p) => p.spec.ingress ?? []);
  check(rules.length > 0 && rules.every((rule) =>
          (rule.from ?? []).length > 0 &&
          rule.from.every((peer) => !peer.namespaceSelector && !peer.ipBlock &&
                                    peer.podSelector && matches(peer.podSelector.matchLabels, serverLabels)) &&
          (rule.ports ?? []).length > 0 && rule.ports.every((p) => p.port === containerPort || p.port === 'redis')),
        `${name}: ingress only from the tracktry server pods on ${containerPort}`);
  // Egress: the server may reach it (port after the Service's DNAT).
  check(serverEgress.some(({ rule }) => (rule.ports ?? []).some((p) => p.port === containerPort) &&
          (rule.to ?? []).some((peer) => !peer.namespaceSelector && matches(peer.podSelector?.matchLabels, labels) &&
                                         Object.keys(peer.podSelector?.matchLabels ?? {}).length > 0)),
        `server egress reaches ${name} on ${containerPort}`);
}

// 8. dev: the emulator's key is the generated Secret's api-key.
const emulator = workloads.find((d) => d.spec.template.spec.containers.some((c) => argv(c).join(' ').includes('tracktry-emulator')));
if (emulator && overlay === 'dev') {
  const c = emulator.spec.template.spec.containers[0];
  const keyFile = serverEnv.TRACKTRY_API_KEY_FILE ?? '';
  const secret = secrets.find((s) => s.metadata.name === OUT_OF_BAND_SECRET);
  check(secret && secretValues(secret)[keyFile.split('/').pop()] === optionValue(c, 'api-key'),
        `the server's api-key (${keyFile}) is the emulator's --api-key`);
}
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
