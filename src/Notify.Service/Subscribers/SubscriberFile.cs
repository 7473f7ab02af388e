using System.Net.Mail;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>A subscriber listed in the configuration file; <see cref="Line"/> is where its entry starts, for error messages.</summary>
public sealed record ConfiguredSubscriber(string Email, IReadOnlyList<string> Components, int Line);

/// <summary>
/// Reads the <c>subscribers:</c> section of the configuration file (config/statusplatform.yaml). The representation
/// model rather than a deserializer, because it keeps the line of every node and so an error can name the entry.
/// </summary>
public static class SubscriberFile
{
    /// <summary>Where the file's path is configured (environment variable StatusPlatform__ConfigFile); unset means seed nothing.</summary>
    public const string ConfigFileKey = "StatusPlatform:ConfigFile";

    private static readonly HashSet<string> EntryKeys = ["email", "components"];

    public static IReadOnlyList<ConfiguredSubscriber> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: the configuration file ({ConfigFileKey}) cannot be read: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static IReadOnlyList<ConfiguredSubscriber> Parse(string text, string path)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{path}, line {e.Start.Line}: not valid YAML: {e.Message}", e);
        }
        if (yaml.Documents.Count == 0 || IsEmpty(yaml.Documents[0].RootNode))
            return [];
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidDataException($"{path}, line {yaml.Documents[0].RootNode.Start.Line}: the file must be a mapping of sections (page:, components:, subscribers:).");

        var section = Child(root, "subscribers");
        if (section is null || IsEmpty(section))
            return [];
        if (section is not YamlSequenceNode entries)
            throw new InvalidDataException($"{path}, line {section.Start.Line}: subscribers: must be a list of {{ email, components }} entries.");

        var knownComponents = ComponentIds(root);
        var subscribers = new List<ConfiguredSubscriber>();
        var firstLineByEmail = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (node, index) in entries.Children.Select((node, index) => (node, index)))
        {
            var subscriber = ParseEntry(node, knownComponents, Where(path, index, node));
            if (!firstLineByEmail.TryAdd(subscriber.Email, subscriber.Line))
                throw new InvalidDataException($"{Where(path, index, node)}: {subscriber.Email} is listed twice (first at line {firstLineByEmail[subscriber.Email]}).");
            subscribers.Add(subscriber);
        }
        return subscribers;
    }

    private static string Where(string path, int index, YamlNode node) => $"{path}, subscribers entry {index + 1} (line {node.Start.Line})";

    private static ConfiguredSubscriber ParseEntry(YamlNode node, HashSet<string>? knownComponents, string where)
    {
        if (node is not YamlMappingNode entry)
            throw new InvalidDataException($"{where}: an entry must be a mapping {{ email, components }}.");
        foreach (var key in entry.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || !EntryKeys.Contains(name))
                throw new InvalidDataException($"{where}: unknown key '{key}' (expected email and components).");
        }

        var email = (Child(entry, "email") as YamlScalarNode)?.Value?.Trim();
        if (string.IsNullOrEmpty(email))
            throw new InvalidDataException($"{where}: email is missing.");
        // MailAddress also accepts "Name <address>"; a subscriber entry is the bare address.
        if (!MailAddress.TryCreate(email, out var address) || address.Address != email || address.DisplayName.Length > 0)
            throw new InvalidDataException($"{where}: '{email}' is not an email address.");

        if (Child(entry, "components") is not YamlSequenceNode list || list.Children.Count == 0)
            throw new InvalidDataException($"{where}: components must list at least one component id, e.g. components: [demo-website].");
        var components = new List<string>();
        foreach (var item in list.Children)
        {
            if (item is not YamlScalarNode { Value: { } raw } || raw.Trim().Length == 0)
                throw new InvalidDataException($"{where}: components must be a list of component ids.");
            var id = raw.Trim();
            // A typo here would silently mean "never notified", so check against the file's own components.
            if (knownComponents is not null && !knownComponents.Contains(id))
                throw new InvalidDataException($"{where}: component '{id}' is not defined under components:.");
            if (!components.Contains(id))
                components.Add(id);
        }
        return new ConfiguredSubscriber(email, components, (int)entry.Start.Line);
    }

    /// <summary>The component ids the file defines, or null when it has no components: section to check against.</summary>
    private static HashSet<string>? ComponentIds(YamlMappingNode root) =>
        Child(root, "components") is YamlSequenceNode components
            ? components.Children.OfType<YamlMappingNode>()
                .Select(c => (Child(c, "id") as YamlScalarNode)?.Value)
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal)
            : null;

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };
}
