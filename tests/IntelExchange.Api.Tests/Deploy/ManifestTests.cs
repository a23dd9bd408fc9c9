using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts.V1;

namespace IntelExchange.Api.Tests.Deploy;

/// <summary>
/// Docker cannot run on the machines that build this, so the deployment files are checked as data: each parses, and the
/// facts that make a deployment work hold (ports, probes on the ops port, TLS passthrough, one image, mounted secrets
/// at the configured paths, queue names and permissions as the code and deploy/provision-rabbitmq.sh make them).
/// </summary>
public sealed class ManifestTests
{
    private const string PartnerPort = "5443";
    private const string OpsPort = "5081";
    private static readonly string[] Agencies = ["indecopi", "es-mcd"];

    [Fact]
    public void Every_manifest_parses_and_every_kustomization_resource_exists()
    {
        var yamlFiles = Directory.GetFiles(DeployFiles.Root, "*.y*ml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(DeployFiles.Root, f)).Where(f => !f.StartsWith("pki", StringComparison.Ordinal)).ToList();
        Assert.Contains("docker-compose.yml", yamlFiles);
        Assert.True(yamlFiles.Count >= 10, $"only {yamlFiles.Count} YAML files under deploy/");
        foreach (var file in yamlFiles)
        {
            Assert.NotEmpty(DeployFiles.Yaml(file));
        }
        foreach (var manifest in DeployFiles.KubernetesObjects())
        {
            Assert.False(string.IsNullOrEmpty((string?)manifest["apiVersion"]), manifest.ToJsonString());
            Assert.False(string.IsNullOrEmpty((string?)manifest["kind"]), manifest.ToJsonString());
            Assert.Equal("intelexchange", (string?)manifest["metadata"]!["namespace"] ?? (string?)manifest["metadata"]!["name"]);
        }
        var kustomization = Assert.Single(DeployFiles.Yaml("k8s/kustomization.yaml"));
        foreach (var resource in kustomization["resources"].Items())
        {
            Assert.True(File.Exists(DeployFiles.PathOf(Path.Combine("k8s", resource.Str()))), $"kustomization names a missing {resource}");
        }
        Assert.Equal("registry.example.org/intelexchange/api", kustomization["images"]![0]!["name"].Str());
        Assert.Equal("intelx", DeployFiles.Json("rabbitmq/definitions.json")["vhosts"]![0]!["name"].Str());
    }

    [Fact]
    public void The_deployment_listens_where_the_config_says_and_probes_only_the_ops_port()
    {
        var config = DeployFiles.Kubernetes("ConfigMap", "intelx-config")["data"]!;
        var deployment = DeployFiles.Kubernetes("Deployment", "intelx-api");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = Assert.Single(pod["containers"].Items());
        var ports = container["ports"].Items().ToDictionary(p => p["name"].Str(), p => p["containerPort"].Str());

        Assert.Equal($"https://0.0.0.0:{PartnerPort}", config["Listeners__Partner"].Str());
        Assert.Equal($"http://0.0.0.0:{OpsPort}", config["Listeners__Ops"].Str());
        Assert.Equal(new Dictionary<string, string> { ["partner"] = PartnerPort, ["ops"] = OpsPort }, ports);
        Assert.True(int.Parse(deployment["spec"]!["replicas"].Str(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Equal("0", deployment["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"].Str());
        foreach (var (probe, path) in new[] { ("startupProbe", "/health/ready"), ("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live") })
        {
            var get = container[probe]!["httpGet"]!;
            Assert.Equal("ops", get["port"].Str());
            Assert.Equal(path, get["path"].Str());
            Assert.Null(get["scheme"]);
        }
        var annotations = deployment["spec"]!["template"]!["metadata"]!["annotations"]!;
        Assert.Equal(OpsPort, annotations["prometheus.io/port"].Str());
        Assert.Equal("/metrics", annotations["prometheus.io/path"].Str());
        Assert.Equal("true", pod["securityContext"]!["runAsNonRoot"].Str());
        Assert.Equal("false", config["Persistence__MigrateOnStartup"].Str());
        Assert.Equal("rabbitmq", config["Messaging__Transport"].Str());
        Assert.Equal("postgres", config["Persistence__Provider"].Str());

        var budget = DeployFiles.Kubernetes("PodDisruptionBudget", "intelx-api");
        Assert.Equal("1", budget["spec"]!["minAvailable"].Str());
        Assert.Equal(deployment["spec"]!["selector"]!["matchLabels"]!.ToJsonString(), budget["spec"]!["selector"]!["matchLabels"]!.ToJsonString());
    }

    [Fact]
    public async Task The_probed_paths_answer_on_the_ops_listener_and_not_on_the_partner_one()
    {
        using var server = new ExchangeServer();
        using var ops = new HttpClient { BaseAddress = server.OpsAddress };
        using var partner = server.ClientFor("ifpi");
        var deployment = DeployFiles.Kubernetes("Deployment", "intelx-api");
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var paths = new[] { "startupProbe", "readinessProbe", "livenessProbe" }.Select(p => container[p]!["httpGet"]!["path"].Str())
            .Append(deployment["spec"]!["template"]!["metadata"]!["annotations"]!["prometheus.io/path"].Str()).Distinct().ToList();

        foreach (var path in paths)
        {
            Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync(path)).StatusCode);
        }
        Assert.Equal(3, paths.Count);
    }

    [Fact]
    public void Partner_traffic_reaches_kestrel_with_tls_passed_through()
    {
        var service = DeployFiles.Kubernetes("Service", "intelx-partner");
        var port = Assert.Single(service["spec"]!["ports"].Items());
        Assert.Equal("LoadBalancer", service["spec"]!["type"].Str());
        Assert.Equal("TCP", port["protocol"].Str());
        Assert.Equal("443", port["port"].Str());
        Assert.Equal("partner", port["targetPort"].Str());
        Assert.Equal("Local", service["spec"]!["externalTrafficPolicy"].Str());
        Assert.DoesNotContain(service["metadata"]!["annotations"]!.AsObject(), a => a.Key.Contains("ssl-cert", StringComparison.Ordinal));

        var ops = DeployFiles.Kubernetes("Service", "intelx-ops");
        Assert.Equal("ClusterIP", ops["spec"]!["type"].Str());
        Assert.Equal("ops", ops["spec"]!["ports"]![0]!["targetPort"].Str());

        var ingress = DeployFiles.Kubernetes("Ingress", "intelx-partner");
        Assert.Equal("true", ingress["metadata"]!["annotations"]!["nginx.ingress.kubernetes.io/ssl-passthrough"].Str());
        Assert.Null(ingress["spec"]!["tls"]);
        Assert.Equal("intelx-partner", ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!["name"].Str());

        var haproxy = DeployFiles.Text("haproxy/haproxy.cfg").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#').ToList();
        Assert.Contains("mode tcp", haproxy);
        Assert.DoesNotContain(haproxy, l => l.StartsWith("mode http", StringComparison.Ordinal));
        Assert.DoesNotContain(haproxy, l => (l.StartsWith("bind", StringComparison.Ordinal) || l.StartsWith("server", StringComparison.Ordinal)) && l.Contains(" ssl", StringComparison.Ordinal));
        Assert.Contains($"server api-1 api-1:{PartnerPort}", haproxy);
        Assert.Contains($"server api-2 api-2:{PartnerPort}", haproxy);
        Assert.Contains($"default-server check port {OpsPort} inter 2s fall 2 rise 2", haproxy);
        Assert.Contains("option httpchk GET /health/ready", haproxy);

        var network = DeployFiles.Kubernetes("NetworkPolicy", "intelx-api")["spec"]!["ingress"].Items().ToList();
        Assert.Contains(network, rule => rule["from"] is null && rule["ports"]![0]!["port"].Str() == PartnerPort);
        Assert.Contains(network, rule => rule["from"] is not null && rule["ports"]![0]!["port"].Str() == OpsPort);
    }

    [Fact]
    public void Secrets_are_mounted_where_the_configuration_looks_for_certificates_and_keys()
    {
        var secrets = DeployFiles.KubernetesObjects().Where(o => o["kind"].Str() == "Secret")
            .ToDictionary(s => s["metadata"]!["name"].Str(), s => s["stringData"]!.AsObject().Select(p => p.Key).ToHashSet());
        var config = DeployFiles.Kubernetes("ConfigMap", "intelx-config")["data"]!;
        foreach (var workload in new[] { DeployFiles.Kubernetes("Deployment", "intelx-api"), DeployFiles.Kubernetes("Job", "intelx-migrate") })
        {
            var pod = workload["spec"]!["template"]!["spec"]!;
            var container = Assert.Single(pod["containers"].Items());
            foreach (var reference in container["env"].Items().Select(e => e["valueFrom"]?["secretKeyRef"]).OfType<JsonNode>())
            {
                Assert.Contains(reference["key"].Str(), secrets[reference["name"].Str()]);
            }
            Assert.Contains(container["env"].Items(), e => e["name"].Str() == "ConnectionStrings__IntelExchange");
            Assert.Equal("intelx-config", container["envFrom"]![0]!["configMapRef"]!["name"].Str());
        }

        var deployment = DeployFiles.Kubernetes("Deployment", "intelx-api")["spec"]!["template"]!["spec"]!;
        var volumes = deployment["volumes"].Items().ToDictionary(v => v["name"].Str(), v => v["secret"]?["secretName"]?.GetValue<string>());
        var files = deployment["containers"]![0]!["volumeMounts"].Items()
            .Where(m => volumes[m["name"].Str()] is not null)
            .SelectMany(m => secrets[volumes[m["name"].Str()]!].Select(key => $"{m["mountPath"].Str()}/{key}"))
            .ToHashSet();
        foreach (var key in new[] { "Tls__ServerCertificate", "Tls__ServerKey", "Tls__PartnerCaCertificates", "Signing__ReceiptKey" })
        {
            Assert.Contains(config[key].Str(), files);
        }
        Assert.All(deployment["containers"]![0]!["volumeMounts"].Items().Where(m => volumes[m["name"].Str()] is not null),
            mount => Assert.Equal("true", mount["readOnly"].Str()));
    }

    [Fact]
    public void The_migration_job_runs_the_api_image_with_the_migrate_only_switch()
    {
        var deployment = DeployFiles.Kubernetes("Deployment", "intelx-api")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var job = DeployFiles.Kubernetes("Job", "intelx-migrate")["spec"]!;
        var migrate = job["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal(deployment["image"].Str(), migrate["image"].Str());
        Assert.Equal([MigrationCommand.Switch], migrate["args"].Items().Select(a => a.Str()));
        Assert.Equal("OnFailure", job["template"]!["spec"]!["restartPolicy"].Str());
        Assert.NotNull(job["activeDeadlineSeconds"]);

        var dockerfile = DeployFiles.Text("Dockerfile");
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"IntelExchange.Api.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {PartnerPort} {OpsPort}", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER $APP_UID", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"Listeners__Ops=http://0.0.0.0:{OpsPort}", dockerfile, StringComparison.Ordinal);
        Assert.Contains("-p:PublishReadyToRun=true", dockerfile, StringComparison.Ordinal);
        foreach (var copied in Regex.Matches(dockerfile, @"^COPY (?!--from)(\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value))
        {
            Assert.True(File.Exists(Path.Combine(ExternalProcess.RepositoryRoot(), copied)) || Directory.Exists(Path.Combine(ExternalProcess.RepositoryRoot(), copied)),
                $"the Dockerfile copies {copied}, which is not in the repository");
        }
    }

    [Fact]
    public void Compose_runs_two_api_instances_after_the_migration_with_certificates_mounted()
    {
        var compose = Assert.Single(DeployFiles.Yaml("docker-compose.yml"));
        var services = compose["services"]!.AsObject();
        Assert.Equal(["api-1", "api-2", "bootstrap", "lb", "migrate", "postgres", "rabbitmq"], services.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.EndsWith("-management", services["rabbitmq"]!["image"].Str(), StringComparison.Ordinal);
        Assert.StartsWith("postgres:", services["postgres"]!["image"].Str(), StringComparison.Ordinal);
        Assert.Equal([MigrationCommand.Switch], services["migrate"]!["command"].Items().Select(c => c.Str()));
        Assert.Equal("service_healthy", services["migrate"]!["depends_on"]!["postgres"]!["condition"].Str());
        Assert.Equal("service_completed_successfully", services["bootstrap"]!["depends_on"]!["migrate"]!["condition"].Str());

        var partnerPorts = new List<string>();
        foreach (var name in new[] { "api-1", "api-2" })
        {
            var api = services[name]!;
            var environment = api["environment"]!;
            Assert.Equal("intelexchange/api:local", api["image"].Str());
            Assert.Equal("deploy/Dockerfile", api["build"]!["dockerfile"].Str());
            Assert.Equal("service_completed_successfully", api["depends_on"]!["bootstrap"]!["condition"].Str());
            Assert.Equal("false", environment["Persistence__MigrateOnStartup"].Str());
            Assert.Equal("rabbitmq", environment["Messaging__Transport"].Str());
            Assert.Equal($"https://0.0.0.0:{PartnerPort}", environment["Listeners__Partner"].Str());
            Assert.Equal($"http://0.0.0.0:{OpsPort}", environment["Listeners__Ops"].Str());
            var mounts = api["volumes"].Items().Select(v => v.Str().Split(':')).ToDictionary(v => v[1], v => v);
            foreach (var key in new[] { "Tls__ServerCertificate", "Tls__ServerKey", "Tls__PartnerCaCertificates", "Signing__ReceiptKey" })
            {
                var mount = mounts[environment[key].Str()];
                Assert.Equal("ro", mount[2]);
                Assert.StartsWith("./pki/", mount[0], StringComparison.Ordinal);
            }
            var ports = api["ports"].Items().Select(p => p.Str()).ToList();
            Assert.Contains(ports, p => p == $"127.0.0.1:{(name == "api-1" ? "5081" : "5082")}:{OpsPort}");
            partnerPorts.Add(Assert.Single(ports, p => p.EndsWith($":{PartnerPort}", StringComparison.Ordinal) && !p.StartsWith("127.", StringComparison.Ordinal)));
        }
        Assert.Equal(2, partnerPorts.Distinct().Count());
        var rabbitMounts = services["rabbitmq"]!["volumes"].Items().Select(v => v.Str()).ToList();
        Assert.Contains("./pki/rabbitmq-definitions.json:/etc/rabbitmq/definitions.json:ro", rabbitMounts);
        Assert.Contains("/etc/rabbitmq/definitions.json", DeployFiles.Text("rabbitmq/rabbitmq.conf"), StringComparison.Ordinal);
    }

    [Fact]
    public void RabbitMQ_definitions_declare_the_code_topology_and_the_permissions_of_the_provisioning_script()
    {
        var definitions = DeployFiles.Json("rabbitmq/definitions.json");
        var provision = DeployFiles.Text("provision-rabbitmq.sh");
        Assert.Contains("AGENCY_USER_PREFIX=\"${AGENCY_USER_PREFIX:-agency-}\"", provision, StringComparison.Ordinal);
        Assert.Contains("EXCHANGE_USER=\"${EXCHANGE_USER:-intelx-api}\"", provision, StringComparison.Ordinal);
        Assert.Contains("VHOST=\"${VHOST:-intelx}\"", provision, StringComparison.Ordinal);

        var permissions = definitions["permissions"].Items().ToDictionary(p => p["user"].Str());
        Assert.Equal([".*", ".*", ".*"], new[] { "configure", "write", "read" }.Select(k => permissions["intelx-api"][k].Str()));
        foreach (var agency in Agencies)
        {
            var queue = BusNames.AgencyEndpoint(agency);
            var expected = $"^(intelx\\.agency\\.{ProvisionEscape(agency)}(_error|_skipped)?|.*_bus_.*)$";
            var user = Assert.Single(definitions["users"].Items(), u => u["name"].Str() == $"agency-{agency}");
            Assert.Equal("", user["tags"]!.ToJsonString().Trim('[', ']'));
            Assert.All(new[] { "configure", "write", "read" }, k => Assert.Equal(expected, permissions[$"agency-{agency}"][k].Str()));
            Assert.Matches(expected, queue);
            Assert.Matches(expected, queue + "_error");
            Assert.All(Agencies.Where(other => other != agency), other => Assert.DoesNotMatch(expected, BusNames.AgencyEndpoint(other)));

            var declared = Assert.Single(definitions["queues"].Items(), q => q["name"].Str() == queue);
            Assert.Equal("quorum", declared["arguments"]!["x-queue-type"].Str());
            Assert.True(declared["durable"]!.GetValue<bool>());
            var exchange = Assert.Single(definitions["exchanges"].Items(), e => e["name"].Str() == queue);
            Assert.Equal("fanout", exchange["type"].Str());
            Assert.Single(definitions["bindings"].Items(), b => b["source"].Str() == queue && b["destination"].Str() == queue && b["destination_type"].Str() == "queue");

            var policy = Assert.Single(definitions["policies"].Items(), p => Regex.IsMatch(queue, p["pattern"].Str()));
            Assert.Equal("queues", policy["apply-to"].Str());
            Assert.Equal(queue + "_error", policy["definition"]!["dead-letter-exchange"].Str());
            Assert.Equal("at-least-once", policy["definition"]!["dead-letter-strategy"].Str());
            Assert.DoesNotMatch(policy["pattern"].Str(), queue + "_error");
        }
        Assert.Equal(Agencies.Length + 1, definitions["users"].Items().Count());
        Assert.All(definitions["users"].Items(), u => Assert.Equal("", u["password_hash"].Str()));
    }

    /// <summary>What <c>re_escape</c> in deploy/provision-rabbitmq.sh does to an agency id.</summary>
    private static string ProvisionEscape(string id) => Regex.Replace(id, @"[\]\[\\.*^$+?(){}|/]", @"\$0");
}
