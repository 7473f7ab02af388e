using System.Globalization;

namespace StatusPlatform.StatusApi.Console.Components;

/// <summary>Wire values as words ("major_outage" → "Major outage") and numbers as the console shows them.</summary>
public static class Words
{
    public static string Of(string value) =>
        value.Length == 0 ? "" : char.ToUpperInvariant(value[0]) + value[1..].Replace('_', ' ');

    public static string Ms(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "–";

    public static string Field(string key) => key.Replace('_', ' ').Replace('.', ' ');
}
