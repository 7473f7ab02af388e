using System.Text.Json.Serialization;

namespace StatusPlatform.StatusApi.PublicApi.Wire;

/// <summary>A component or a component group (<c>group: true</c>), as components.json and summary.json list them.</summary>
public sealed record Component(
    string Id,
    string Name,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Position,
    string? Description,
    bool Showcase,
    DateOnly? StartDate,
    string? GroupId,
    string PageId,
    bool Group,
    bool OnlyShowIfDegraded,
    // Statuspage sends this key on group entries only; a plain component has no "components" key at all.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Components);
