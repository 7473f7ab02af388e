using System.Globalization;
using System.Net;
using System.Text;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.PublicApi.Feeds;

/// <summary>
/// Shields-style SVG badges: "status | All Systems Operational" for the page, "{component} | operational" for each
/// component, coloured by severity. Names are XML-escaped, so a component name cannot inject markup into a README that
/// embeds the badge.
/// </summary>
public static class StatusBadges
{
    public const string ContentType = "image/svg+xml; charset=utf-8";

    public static byte[] ForPage(PageStatus status) => Badge("status", status.Description, status.Indicator switch
    {
        PageStatus.None => Green,
        PageStatus.Maintenance => Blue,
        "minor" => Yellow,
        "major" => Orange,
        _ => Red,
    });

    public static byte[] ForComponent(string name, string status) => Badge(name, status.Replace('_', ' '), status switch
    {
        ComponentStatus.Operational => Green,
        ComponentStatus.UnderMaintenance => Blue,
        ComponentStatus.DegradedPerformance => Yellow,
        ComponentStatus.PartialOutage => Orange,
        _ => Red,
    });

    // Dark enough for white text at WCAG AA (4.5:1).
    private const string Green = "#1b7a3d";
    private const string Blue = "#1d5fa8";
    private const string Yellow = "#8a6100";
    private const string Orange = "#b04a00";
    private const string Red = "#b42318";

    private static byte[] Badge(string label, string message, string colour)
    {
        // Verdana 11px averages about 7 px per character; 10 px padding on each side of each half.
        int Width(string text) => (text.Length * 7) + 20;
        var (left, right) = (Width(label), Width(message));
        var (l, m) = (WebUtility.HtmlEncode(label), WebUtility.HtmlEncode(message));
        var svg = string.Create(CultureInfo.InvariantCulture, $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" aria-label="{l}: {m}"><title>{l}: {m}</title><rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/><g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"><text x="{left / 2}" y="14">{l}</text><text x="{left + (right / 2)}" y="14">{m}</text></g></svg>
            """);
        return Encoding.UTF8.GetBytes(svg);
    }
}
