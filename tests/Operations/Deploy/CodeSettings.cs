using System.Text.RegularExpressions;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Operations.Tests.Deploy;

/// <summary>
/// Whether an environment variable names something the services read: the environment contract of
/// ARCHITECTURE.md section 8, or a configuration key found in the source (an options class's section and property,
/// a GetSection(...) key, or the full key as a literal).
/// </summary>
public static partial class CodeSettings
{
    /// <summary>ARCHITECTURE.md section 8 (services__name__http__0 is matched separately).</summary>
    public static readonly string[] Contract =
    [
        "ConnectionStrings__statusdb", "ConnectionStrings__messaging", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "ASPNETCORE_URLS", "MASSTRANSIT_USAGE_TELEMETRY",
    ];

    private static readonly Lazy<Dictionary<string, string>> Sources = new(() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(p => p, File.ReadAllText));

    /// <summary>Null when <paramref name="variable"/> is read by the code; otherwise why not.</summary>
    public static string? Check(string variable)
    {
        if (Contract.Contains(variable, StringComparer.Ordinal) || ServiceUrl().IsMatch(variable))
            return null;
        var segments = variable.Split("__");
        var key = string.Join(':', segments);
        if (Sources.Value.Values.Any(s => s.Contains($"\"{key}\"", StringComparison.OrdinalIgnoreCase)))
            return null;
        for (var n = segments.Length - 1; n >= 1; n--)
        {
            var section = string.Join(':', segments[..n]);
            var rest = segments[n..];
            foreach (var source in Sources.Value.Values)
            {
                if (source.Contains($"Section = \"{section}\"", StringComparison.Ordinal) && PropertiesExist(source, rest))
                    return null;
                if (n == 1 && source.Contains($"GetSection(\"{section}\")", StringComparison.Ordinal) && rest.Length == 1
                    && source.Contains($"\"{rest[0]}\"", StringComparison.Ordinal))
                    return null;
            }
        }
        return $"no code reads configuration key '{key}'";
    }

    private static bool PropertiesExist(string source, string[] path)
    {
        foreach (var segment in path)
        {
            var property = Regex.Match(source, $@"public\s+(\S+)\s+{Regex.Escape(segment)}\s*\{{\s*get;");
            if (!property.Success)
                return false;
            // Below a dictionary or list any key is data (Delivery__Channels__email__Concurrency).
            if (property.Groups[1].Value.StartsWith("Dictionary<", StringComparison.Ordinal) || property.Groups[1].Value.StartsWith("List<", StringComparison.Ordinal))
                return true;
        }
        return true;
    }

    [GeneratedRegex(@"^services__[a-z0-9-]+__https?__\d+$")]
    private static partial Regex ServiceUrl();
}
