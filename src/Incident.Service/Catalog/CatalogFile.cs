using System.Globalization;
using System.Text.RegularExpressions;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Page;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StatusPlatform.Incident.Catalog;

/// <summary>
/// Reads the configuration file through YamlDotNet's node model rather than a deserializer, so that every
/// error can point at the line and field a person has to fix.
/// </summary>
public static partial class CatalogFile
{
    private static readonly string[] TopLevelKeys = ["page", "groups", "components", "monitors", "subscribers"];

    public static CatalogDefinition Load(string path)
    {
        if (!File.Exists(path))
            throw new CatalogFileException(path, 0, 0, "(file)", "the configuration file does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    public static CatalogDefinition Parse(string yaml, string file)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new CatalogFileException(file, e.Start.Line, e.Start.Column, "(syntax)", e.InnerException?.Message ?? e.Message);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up without a position on some malformed input; the last event read is close.
            var mark = parser.Current?.End ?? Mark.Empty;
            throw new CatalogFileException(file, mark.Line, mark.Column, "(syntax)", "the YAML is malformed (an unclosed bracket or quote?)");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new CatalogFileException(file, 1, 1, "(root)", "expected a mapping with page, components and monitors");

        var reader = new Reader(file);
        foreach (var key in root.Children.Keys)
        {
            if (!TopLevelKeys.Contains(((YamlScalarNode)key).Value))
                throw reader.Error(key, ((YamlScalarNode)key).Value!, $"unknown section (expected one of: {string.Join(", ", TopLevelKeys)})");
        }

        var page = reader.Page(reader.Mapping(root, "page", required: true)!);
        var components = new List<(string, ComponentSettings)>();
        var groupIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path, position) in reader.Items(root, "groups"))
        {
            var id = reader.Id(node, path);
            reader.Unique(groupIds, id, node, path);
            components.Add((id, new ComponentSettings(reader.Required(node, path, "name"), reader.Optional(node, path, "description"),
                GroupId: null, reader.Int(node, path, "position", position, 1, 10_000), IsGroup: true, Automation: false, Owner: null,
                Showcase: false, OnlyShowIfDegraded: false)));
        }

        var componentIds = new HashSet<string>(StringComparer.Ordinal);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (node, path, _) in reader.Items(root, "components"))
        {
            var id = reader.Id(node, path);
            reader.Unique(componentIds, id, node, path);
            if (groupIds.Contains(id))
                throw reader.Error(node, $"{path}.id", $"'{id}' is already the id of a group");
            var group = reader.Optional(node, path, "group");
            if (group is not null && !groupIds.Contains(group))
                throw reader.Error(Reader.Field(node, "group")!, $"{path}.group", $"'{group}' names no group (known: {Known(groupIds)})");
            // Positions are per parent: top-level components after the groups, children within their group.
            var parent = group ?? "";
            positions[parent] = positions.GetValueOrDefault(parent, group is null ? groupIds.Count : 0) + 1;
            components.Add((id, new ComponentSettings(reader.Required(node, path, "name"), reader.Optional(node, path, "description"), group,
                reader.Int(node, path, "position", positions[parent], 1, 10_000), IsGroup: false,
                reader.Bool(node, path, "automation", true), reader.Optional(node, path, "owner"),
                reader.Bool(node, path, "showcase", true), reader.Bool(node, path, "only_show_if_degraded", false))));
        }

        var monitors = new List<(string, MonitorSettings)>();
        var monitorIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path, _) in reader.Items(root, "monitors"))
        {
            var id = reader.Id(node, path);
            reader.Unique(monitorIds, id, node, path);
            var component = reader.Required(node, path, "component");
            if (!componentIds.Contains(component))
                throw reader.Error(Reader.Field(node, "component")!, $"{path}.component", $"'{component}' names no component (known: {Known(componentIds)})");
            var monitor = reader.Monitor(node, path, component);
            // Two monitors behind one URL would make every ping or alert count for both.
            if (monitor.PushTokenSha256 is { } token && monitors.Any(m => m.Item2.PushTokenSha256 == token))
                throw reader.Error(node, $"{path}.token", "another monitor already uses this token");
            monitors.Add((id, monitor));
        }
        return new CatalogDefinition(page, components, monitors);
    }

    private static string Known(IEnumerable<string> ids) => ids.Any() ? string.Join(", ", ids.Order(StringComparer.Ordinal)) : "none";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^(\d+)(ms|s|m|h)?$")]
    private static partial Regex DurationPattern();

    private sealed partial class Reader(string file)
    {
        public CatalogFileException Error(YamlNode node, string field, string problem) =>
            new(file, node.Start.Line, node.Start.Column, field, problem);

        public static YamlNode? Field(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public YamlMappingNode? Mapping(YamlMappingNode parent, string key, bool required)
        {
            var value = Field(parent, key);
            return value switch
            {
                YamlMappingNode mapping => mapping,
                null when !required => null,
                null => throw Error(parent, key, "is missing"),
                _ => throw Error(value, key, "expected a mapping"),
            };
        }

        public IEnumerable<(YamlMappingNode Node, string Path, int Position)> Items(YamlMappingNode root, string key)
        {
            var value = Field(root, key);
            if (value is null || value is YamlScalarNode { Value: null or "" })
                yield break;
            if (value is not YamlSequenceNode sequence)
                throw Error(value, key, "expected a list");
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                yield return sequence.Children[i] is YamlMappingNode item
                    ? (item, $"{key}[{i}]", i + 1)
                    : throw Error(sequence.Children[i], $"{key}[{i}]", "expected a mapping");
            }
        }

        public PageSettings Page(YamlMappingNode node)
        {
            var timeZone = Optional(node, "page", "time_zone") ?? PageDecisions.DefaultTimeZone;
            if (PageDecisions.TimeZone(timeZone) is { } badZone)
                throw Error(Field(node, "time_zone")!, "page.time_zone", badZone);
            var url = Required(node, "page", "url");
            if (PageDecisions.Url(url) is { } badUrl)
                throw Error(Field(node, "url")!, "page.url", badUrl);
            return new PageSettings(Optional(node, "page", "id") ?? PageDecisions.DefaultPageId, Required(node, "page", "name"), url, timeZone);
        }

        public string Id(YamlMappingNode node, string path)
        {
            var id = Required(node, path, "id");
            return IdPattern().IsMatch(id)
                ? id
                : throw Error(Field(node, "id")!, $"{path}.id", $"'{id}' is not a valid id (lowercase letters, digits, '-' and '_', at most 63)");
        }

        public void Unique(HashSet<string> seen, string id, YamlMappingNode node, string path)
        {
            if (!seen.Add(id))
                throw Error(Field(node, "id")!, $"{path}.id", $"'{id}' is defined twice");
        }

        public string Required(YamlMappingNode node, string path, string key) =>
            Optional(node, path, key) ?? throw Error(node, $"{path}.{key}", "is required");

        public string? Optional(YamlMappingNode node, string path, string key) => Field(node, key) switch
        {
            null => null,
            YamlScalarNode { Value: var value } => string.IsNullOrWhiteSpace(value) ? null : value.Trim(),
            var other => throw Error(other, $"{path}.{key}", "expected a single value"),
        };

        public bool Bool(YamlMappingNode node, string path, string key, bool fallback) => Optional(node, path, key) switch
        {
            null => fallback,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            var other => throw Error(Field(node, key)!, $"{path}.{key}", $"'{other}' is not true or false"),
        };

        public int Int(YamlMappingNode node, string path, string key, int fallback, int min, int max)
        {
            var text = Optional(node, path, key);
            if (text is null)
                return fallback;
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw Error(Field(node, key)!, $"{path}.{key}", $"'{text}' is not a whole number from {min} to {max}");
        }

        /// <summary>A duration such as 10s, 5m, 1h or 1500ms, rounded up to whole seconds, at least one second.</summary>
        public int Seconds(YamlMappingNode node, string path, string key, int fallback)
        {
            var text = Optional(node, path, key);
            if (text is null)
                return fallback;
            var match = DurationPattern().Match(text);
            if (!match.Success)
                throw Error(Field(node, key)!, $"{path}.{key}", $"'{text}' is not a duration such as 500ms, 10s, 5m or 1h");
            var amount = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var seconds = match.Groups[2].Value switch
            {
                "ms" => (amount + 999) / 1000,
                "m" => amount * 60,
                "h" => amount * 3600,
                _ => amount,
            };
            return seconds is >= 1 and <= 86_400
                ? (int)seconds
                : throw Error(Field(node, key)!, $"{path}.{key}", $"'{text}' must be between 1 s and 24 h");
        }

        public IReadOnlyList<int> StatusCodes(YamlMappingNode node, string path)
        {
            var value = Field(node, "expected_status");
            if (value is null)
                return [];
            if (value is not YamlSequenceNode list)
                throw Error(value, $"{path}.expected_status", "expected a list of status codes, e.g. [200, 204]");
            return [.. list.Children.Select((item, i) => item is YamlScalarNode { Value: var text }
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599
                    ? code
                    : throw Error(item, $"{path}.expected_status[{i}]", $"'{item}' is not an HTTP status code"))];
        }
    }
}
