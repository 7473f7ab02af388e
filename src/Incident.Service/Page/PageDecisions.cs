using System.Text.RegularExpressions;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Page;

/// <summary>
/// What valid page settings are, for the configuration file's page section and the UpdatePageSettings command alike, and
/// the decision of that command. Pure.
/// </summary>
public static partial class PageDecisions
{
    public const string DefaultPageId = "statusplatform";
    public const string DefaultTimeZone = "Etc/UTC";
    public const int MaxNameLength = 255;
    public const int MaxUrlLength = 2048;
    public const int MaxCustomCssLength = 50_000;

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex Colour();

    public static string? TimeZone(string timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _) ? null : $"'{timeZone}' is not a known IANA time zone";

    public static string? Url(string url) => Uri.TryCreate(url, UriKind.Absolute, out _) ? null : $"'{url}' is not an absolute URL";

    /// <summary>The same rule StatusApi's StatusPage:LogoUrl option follows: the page links it as an image source.</summary>
    public static string? LogoUrl(string url) =>
        url.Length <= MaxUrlLength && (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)
            || Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            ? null
            : "must be an absolute http(s) URL or a path starting with /";

    public static string? Colour(string colour) => Colour().IsMatch(colour) ? null : $"'{colour}' is not a colour like #0b5cad or #fff";

    // The CSS is served as a style sheet of its own, but a '<' has no business in one and is the start of every injection.
    public static string? CustomCss(string css) =>
        css.Contains('<', StringComparison.Ordinal) ? "must not contain '<'"
        : css.Length > MaxCustomCssLength ? $"must be at most {MaxCustomCssLength} characters"
        : null;

    /// <summary>
    /// The event that applies <paramref name="command"/> to the page (null members unchanged, "" clears an optional one), or
    /// the field errors. The page becomes managed through the admin API. Without a page yet (no configuration file) the
    /// command creates it and then needs a name and a URL. Null event and no errors: nothing to change.
    /// </summary>
    public static (Dictionary<string, string[]> Errors, PageConfigured? Event) Update(StatusPage? state, UpdatePageSettings command, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        var current = state?.Settings ?? new PageSettings(DefaultPageId, "", "", DefaultTimeZone);
        var desired = current with
        {
            Name = command.Name?.Trim() ?? current.Name,
            Url = command.Url?.Trim() ?? current.Url,
            TimeZone = command.TimeZone?.Trim() ?? current.TimeZone,
            LogoUrl = Optional(command.LogoUrl, current.LogoUrl),
            AccentColor = Optional(command.AccentColor, current.AccentColor)?.ToLowerInvariant(),
            AccentColorDark = Optional(command.AccentColorDark, current.AccentColorDark)?.ToLowerInvariant(),
            CustomCss = Optional(command.CustomCss, current.CustomCss),
        };
        if (string.IsNullOrWhiteSpace(command.Actor))
            errors["actor"] = ["is required"];
        if (desired.Name.Length is 0 or > MaxNameLength)
            errors["name"] = [$"is required, at most {MaxNameLength} characters"];
        Check(errors, "url", desired.Url.Length == 0 ? "is required" : desired.Url.Length > MaxUrlLength ? $"must be at most {MaxUrlLength} characters" : Url(desired.Url));
        Check(errors, "time_zone", TimeZone(desired.TimeZone));
        Check(errors, "logo_url", desired.LogoUrl is { } logo ? LogoUrl(logo) : null);
        Check(errors, "accent_color", desired.AccentColor is { } light ? Colour(light) : null);
        Check(errors, "accent_color_dark", desired.AccentColorDark is { } dark ? Colour(dark) : null);
        Check(errors, "custom_css", desired.CustomCss is { } css ? CustomCss(css) : null);
        if (errors.Count > 0)
            return (errors, null);
        return state is { ManagedBy: StatusPage.Api } && state.Settings == desired ? (errors, null) : (errors, new PageConfigured(desired, now, StatusPage.Api));
    }

    // null: unchanged; "" (or blank): cleared.
    private static string? Optional(string? given, string? current) => given is null ? current : string.IsNullOrWhiteSpace(given) ? null : given.Trim();

    private static void Check(Dictionary<string, string[]> errors, string field, string? problem)
    {
        if (problem is not null)
            errors[field] = [problem];
    }
}
