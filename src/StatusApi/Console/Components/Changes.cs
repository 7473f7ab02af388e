using System.Text.Json;

namespace StatusPlatform.StatusApi.Console.Components;

/// <summary>The component changes an update recorded (status.incident_updates.affected_components, the v2 wire's shape).</summary>
public static class Changes
{
    public static IReadOnlyList<(string Name, string Old, string New)> Of(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return [];
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            return [];
        return [.. document.RootElement.EnumerateArray().Select(e => (Text(e, "name"), Text(e, "old_status"), Text(e, "new_status")))];
    }

    private static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}
