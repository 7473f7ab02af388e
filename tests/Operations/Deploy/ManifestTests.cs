using StatusPlatform.AppHost;
using StatusPlatform.TestSupport;
using YamlDotNet.RepresentationModel;

namespace StatusPlatform.Operations.Tests.Deploy;

/// <summary>
/// deploy/ cannot be run here (no Docker, no cluster), so its manifests are checked against the code: every name they
/// reference exists, ports agree, every environment variable is one the services read, and health probes hit the
/// endpoints ServiceDefaults maps.
/// </summary>
public sealed class ManifestTests
{
    // Images and compose build arguments name the service projects; OTEL_SERVICE_NAME uses the AppHost's names.
    private static readonly Dictionary<string, ServiceProject> Images = new(StringComparer.Ordinal)
    {
        ["statusplatform/incident"] = ServiceProject.Incident,
        ["statusplatform/notify"] = ServiceProject.Notify,
        ["statusplatform/statusapi"] = ServiceProject.StatusApi,
        ["statusplatform/probe"] = ServiceProject.Probe,
    };

    [Fact]
    public void Every_manifest_parses_and_the_kustomization_lists_every_kubernetes_file()
    {
        Assert.NotEmpty(Manifests.All);
        var kustomization = Manifests.All.Single(d => d.File == "k8s/kustomization.yaml").Root;
        var resources = kustomization.Items("resources").Select(r => ((YamlScalarNode)r).Value!).ToList();
        var onDisk = Manifests.All.Select(d => d.File).Where(f => f.StartsWith("k8s/", StringComparison.Ordinal) && f != "k8s/kustomization.yaml")
            .Select(f => f["k8s/".Length..]).Distinct().ToList();
        Assert.Equal(onDisk.Order(StringComparer.Ordinal), resources.Order(StringComparer.Ordinal));
        foreach (var generator in kustomization.Items("configMapGenerator"))
        {
            foreach (var file in generator.Items("files").Select(f => ((YamlScalarNode)f).Value!))
                Assert.True(File.Exists(Path.Combine(Manifests.KubernetesFolder, file.Split('=')[^1])), $"configMapGenerator file {file} is missing");
        }
    }

    [Fact]
    public void Every_service_has_a_deployment_service_autoscaler_and_disruption_budget_that_match()
    {
        var deployments = Manifests.Kubernetes("Deployment").Select(d => d.Root).ToList();
        var covered = new HashSet<ServiceProject>();
        foreach (var deployment in deployments)
        {
            var name = deployment.Text("metadata.name")!;
            var podLabels = Labels(deployment.At("spec.template.metadata.labels"));
            Assert.True(Matches(deployment.At("spec.selector.matchLabels"), podLabels), $"{name}: selector does not match its pod labels");

            var container = Assert.Single(Manifests.Containers(deployment));
            var image = container.Text("image")!.Split(':')[0];
            Assert.True(Images.TryGetValue(image, out var project), $"{name}: image {image} is not one of the services");
            covered.Add(project!);
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "src", project!.ProjectFolder, $"{project.ProjectFolder}.csproj")));
            Assert.Equal(project.Name, Env(container).GetValueOrDefault("OTEL_SERVICE_NAME"));

            var service = Assert.Single(Manifests.Kubernetes("Service").Select(s => s.Root), s => s.Text("metadata.name") == name);
            Assert.True(Matches(service.At("spec.selector"), podLabels), $"Service {name} selects no pod of its Deployment");
            foreach (var port in service.Items("spec.ports"))
                Assert.Contains(port.Text("targetPort"), PortNames(container));

            var hpa = Assert.Single(Manifests.Kubernetes("HorizontalPodAutoscaler").Select(h => h.Root), h => h.Text("spec.scaleTargetRef.name") == name);
            Assert.Equal("Deployment", hpa.Text("spec.scaleTargetRef.kind"));
            Assert.True(int.Parse(hpa.Text("spec.minReplicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 2, $"{name}: one replica has no failover");
            var pdb = Assert.Single(Manifests.Kubernetes("PodDisruptionBudget").Select(p => p.Root), p => p.Text("metadata.name") == name);
            Assert.True(Matches(pdb.At("spec.selector.matchLabels"), podLabels), $"PodDisruptionBudget {name} selects no pod of its Deployment");
        }
        Assert.Equal(ServiceProject.All.Select(p => p.Name).Order(StringComparer.Ordinal), covered.Select(p => p.Name).Order(StringComparer.Ordinal));

        // Probes: one Deployment per region, each naming its region, in at least two regions.
        var regions = deployments.Where(d => Images[Manifests.Containers(d).Single().Text("image")!.Split(':')[0]] == ServiceProject.Probe)
            .Select(d => Env(Manifests.Containers(d).Single()).GetValueOrDefault("Probe__Region")).ToList();
        Assert.DoesNotContain(null, regions);
        Assert.True(regions.Distinct().Count() == regions.Count && regions.Count >= 2, $"probe regions: {string.Join(", ", regions)}");
    }

    [Fact]
    public void Containers_listen_where_ASPNETCORE_URLS_says_and_probe_the_health_endpoints_the_code_maps()
    {
        var defaults = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "ServiceDefaults", "Extensions.cs"));
        foreach (var (file, deployment) in Manifests.Kubernetes("Deployment"))
        {
            var container = Manifests.Containers(deployment).Single();
            var urls = ResolvedEnv(container).GetValueOrDefault("ASPNETCORE_URLS") ?? throw new InvalidDataException($"{file}: ASPNETCORE_URLS is not set");
            var listenPort = new Uri(urls.Replace("+", "localhost", StringComparison.Ordinal)).Port;
            var ports = container.Items("ports").ToDictionary(p => p.Text("name") ?? "", p => int.Parse(p.Text("containerPort")!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(ports.ContainsValue(listenPort), $"{file}: ASPNETCORE_URLS listens on {listenPort}, containerPorts are {string.Join(", ", ports.Values)}");
            foreach (var (probe, expected) in new[] { ("readinessProbe", "/health"), ("livenessProbe", "/alive"), ("startupProbe", "/alive") })
            {
                var path = container.Text($"{probe}.httpGet.path");
                Assert.Equal(expected, path);
                Assert.Contains($"MapHealthChecks(\"{path}\"", defaults, StringComparison.Ordinal);
                var port = container.Text($"{probe}.httpGet.port")!;
                Assert.True(ports.ContainsKey(port) || ports.ContainsValue(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
                    $"{file}: {probe} port {port} is not a container port");
            }
        }
    }

    [Fact]
    public void Every_environment_variable_and_config_reference_exists()
    {
        var configMaps = Manifests.Kubernetes("ConfigMap").Select(c => c.Root.Text("metadata.name")!)
            .Concat(Manifests.All.Single(d => d.File == "k8s/kustomization.yaml").Root.Items("configMapGenerator").Select(g => g.Text("name")!)).ToHashSet();
        var secrets = Manifests.Kubernetes("Secret").Select(s => s.Root.Text("metadata.name")!).ToHashSet();
        var services = Manifests.Kubernetes("Service").Select(s => s.Root.Text("metadata.name")!).ToHashSet();
        var problems = new List<string>();
        foreach (var (file, deployment) in Manifests.Kubernetes("Deployment"))
        {
            var container = Manifests.Containers(deployment).Single();
            foreach (var source in container.Items("envFrom"))
            {
                if (source.Text("configMapRef.name") is { } map && !configMaps.Contains(map))
                    problems.Add($"{file}: ConfigMap {map} does not exist");
                if (source.Text("secretRef.name") is { } secret && !secrets.Contains(secret))
                    problems.Add($"{file}: Secret {secret} does not exist");
            }
            foreach (var volume in deployment.Items("spec.template.spec.volumes"))
            {
                if (volume.Text("configMap.name") is { } map && !configMaps.Contains(map))
                    problems.Add($"{file}: volume ConfigMap {map} does not exist");
            }
            foreach (var (name, value) in ResolvedEnv(container))
                problems.AddRange(CheckVariable($"{file} ({deployment.Text("metadata.name")})", name, value, services));
        }
        foreach (var (name, value) in Manifests.Kubernetes("ConfigMap").SelectMany(c => Pairs(c.Root.At("data"))))
            problems.AddRange(CheckVariable("k8s ConfigMap", name, value, services));
        foreach (var (name, value) in Manifests.Kubernetes("Secret").SelectMany(s => Pairs(s.Root.At("stringData"))))
            problems.AddRange(CheckVariable("k8s Secret", name, value, services));

        var compose = Manifests.Compose.At("services") as YamlMappingNode ?? throw new InvalidDataException("compose.yaml has no services");
        var composeServices = compose.Entries();
        foreach (var (name, service) in composeServices)
        {
            foreach (var dependency in (service.At("depends_on") as YamlMappingNode)?.Entries().Keys.ToList() ?? [])
            {
                if (!composeServices.ContainsKey(dependency))
                    problems.Add($"compose {name}: depends on unknown service {dependency}");
            }
            if (service.Text("build.args.PROJECT") is not { } project)
                continue; // infrastructure images: their variables are theirs
            if (!File.Exists(Path.Combine(RepositoryPaths.Root, "src", project, $"{project}.csproj")))
                problems.Add($"compose {name}: PROJECT {project} is not a folder under src/");
            if (service.Text("build.dockerfile") is { } dockerfile && !File.Exists(Path.Combine(RepositoryPaths.Root, dockerfile)))
                problems.Add($"compose {name}: {dockerfile} does not exist");
            var environment = Pairs(service.At("environment")).ToDictionary(p => p.Key, p => p.Value ?? "");
            if (ServiceProject.All.SingleOrDefault(p => p.ProjectFolder == project) is not { } known || environment.GetValueOrDefault("OTEL_SERVICE_NAME") != known.Name)
                problems.Add($"compose {name}: OTEL_SERVICE_NAME should be the service's name");
            foreach (var (variable, value) in environment)
                problems.AddRange(CheckVariable($"compose {name}", variable, value, composeServices.Keys.ToHashSet()));
            if (environment.TryGetValue("ConnectionStrings__messaging", out var amqp) && !composeServices.ContainsKey(new Uri(amqp).Host))
                problems.Add($"compose {name}: the broker host {new Uri(amqp).Host} is not a service");
            if (environment.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var otlp) && !composeServices.ContainsKey(new Uri(otlp).Host))
                problems.Add($"compose {name}: the OTLP host {new Uri(otlp).Host} is not a service");
            var healthcheck = string.Join(' ', service.Items("healthcheck.test").Select(t => ((YamlScalarNode)t).Value));
            if (!healthcheck.Contains("/health", StringComparison.Ordinal))
                problems.Add($"compose {name}: the health check does not call /health");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static IEnumerable<string> CheckVariable(string where, string name, string? value, HashSet<string> services)
    {
        if (CodeSettings.Check(name) is { } problem)
            yield return $"{where}: {name}: {problem}";
        // services__<name>__http__0 must name a peer that exists and point at it.
        if (name.StartsWith("services__", StringComparison.Ordinal))
        {
            var peer = name.Split("__")[1];
            if (!services.Contains(peer) || value is null || new Uri(value).Host != peer)
                yield return $"{where}: {name}={value} does not point at a service named {peer}";
        }
    }

    private static Dictionary<string, string?> Env(YamlMappingNode container) =>
        container.Items("env").ToDictionary(e => e.Text("name")!, e => e.Text("value"));

    /// <summary>The container's variables with those of its envFrom ConfigMaps/Secrets under them (own env wins).</summary>
    private static Dictionary<string, string?> ResolvedEnv(YamlMappingNode container)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var source in container.Items("envFrom"))
        {
            var (kind, name, data) = source.Text("configMapRef.name") is { } map ? ("ConfigMap", map, "data") : ("Secret", source.Text("secretRef.name"), "stringData");
            var document = Manifests.Kubernetes(kind).Single(d => d.Root.Text("metadata.name") == name).Root;
            foreach (var (k, v) in Pairs(document.At(data)))
                result[k] = v;
        }
        foreach (var (k, v) in Env(container))
            result[k] = v;
        return result;
    }

    private static IEnumerable<KeyValuePair<string, string?>> Pairs(YamlNode? mapping) =>
        mapping is YamlMappingNode m ? m.Entries().Select(e => KeyValuePair.Create(e.Key, (e.Value as YamlScalarNode)?.Value)) : [];

    private static Dictionary<string, string> Labels(YamlNode? node) =>
        Pairs(node).ToDictionary(p => p.Key, p => p.Value ?? "");

    private static bool Matches(YamlNode? selector, Dictionary<string, string> labels) =>
        Pairs(selector).Any() && Pairs(selector).All(p => labels.GetValueOrDefault(p.Key) == p.Value);

    private static HashSet<string?> PortNames(YamlMappingNode container) =>
        [.. container.Items("ports").SelectMany(p => new[] { p.Text("name"), p.Text("containerPort") })];
}
