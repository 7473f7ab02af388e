using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Page;

namespace StatusPlatform.Incident.Catalog;

/// <summary>The configuration file, validated: what the page, its components and its monitors should be.</summary>
public sealed record CatalogDefinition(
    PageSettings Page,
    IReadOnlyList<(string Id, ComponentSettings Settings)> Components,
    IReadOnlyList<(string Id, MonitorSettings Settings)> Monitors);

/// <summary>A configuration error that names the file, the line and column, and the field.</summary>
public sealed class CatalogFileException(string file, long line, long column, string field, string problem)
    : Exception($"{file}:{line}:{column}: {field}: {problem}")
{
    public string File { get; } = file;
    public long Line { get; } = line;
    public string Field { get; } = field;
}
