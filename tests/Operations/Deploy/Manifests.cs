using StatusPlatform.TestSupport;
using YamlDotNet.RepresentationModel;

namespace StatusPlatform.Operations.Tests.Deploy;

/// <summary>Every YAML document under deploy/, parsed, with small helpers to walk mappings (merge keys resolved).</summary>
public static class Manifests
{
    public static string DeployFolder { get; } = Path.Combine(RepositoryPaths.Root, "deploy");

    public static string KubernetesFolder { get; } = Path.Combine(DeployFolder, "k8s");

    /// <summary>Every document of every .yaml/.yml file under deploy/, with its file (relative to deploy/).</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Root)> All { get; } = Load();

    public static IEnumerable<(string File, YamlMappingNode Root)> Kubernetes(string kind) =>
        All.Where(d => d.File.StartsWith("k8s/", StringComparison.Ordinal) && d.Root.Text("kind") == kind);

    public static YamlMappingNode Compose => All.Single(d => d.File == "compose.yaml").Root;

    private static List<(string, YamlMappingNode)> Load()
    {
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var path in Directory.EnumerateFiles(DeployFolder, "*.*", SearchOption.AllDirectories)
                     .Where(p => p.EndsWith(".yaml", StringComparison.Ordinal) || p.EndsWith(".yml", StringComparison.Ordinal))
                     .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}config{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = File.OpenText(path))
            {
                try
                {
                    stream.Load(reader);
                }
                catch (YamlDotNet.Core.YamlException e)
                {
                    throw new InvalidDataException($"{path}:{e.Start.Line}:{e.Start.Column}: {e.Message}", e);
                }
            }
            var relative = Path.GetRelativePath(DeployFolder, path).Replace(Path.DirectorySeparatorChar, '/');
            foreach (var document in stream.Documents)
            {
                documents.Add((relative, document.RootNode as YamlMappingNode
                    ?? throw new InvalidDataException($"{relative}: a document is not a mapping")));
            }
        }
        return documents;
    }

    /// <summary>The mapping's entries, with YAML merge keys (<c>&lt;&lt;: *anchor</c>) expanded; own keys win.</summary>
    public static Dictionary<string, YamlNode> Entries(this YamlMappingNode mapping)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            if (((YamlScalarNode)key).Value == "<<")
            {
                foreach (var (k, v) in ((YamlMappingNode)value).Entries())
                    result.TryAdd(k, v);
            }
        }
        foreach (var (key, value) in mapping.Children)
        {
            if (((YamlScalarNode)key).Value is { } name && name != "<<")
                result[name] = value;
        }
        return result;
    }

    /// <summary>The node at a dotted path of mapping keys, or null.</summary>
    public static YamlNode? At(this YamlNode node, string path)
    {
        var current = node;
        foreach (var key in path.Split('.'))
        {
            if (current is not YamlMappingNode mapping || !mapping.Entries().TryGetValue(key, out var next))
                return null;
            current = next;
        }
        return current;
    }

    public static string? Text(this YamlNode node, string path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode node, string path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children : [];

    public static IEnumerable<YamlMappingNode> Containers(YamlMappingNode deployment) =>
        deployment.Items("spec.template.spec.containers").Cast<YamlMappingNode>();
}
