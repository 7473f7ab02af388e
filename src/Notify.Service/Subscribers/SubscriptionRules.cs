using System.Net.Mail;
using System.Text.RegularExpressions;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>A subscription request that passed validation, normalised (trimmed address, distinct component ids, scope worked out).</summary>
public sealed record SubscriptionRequest(string Channel, string Address, string Scope, IReadOnlyList<string> ComponentIds, string? IncidentId, string Locale);

/// <summary>Validation of subscription requests, pure: field errors keyed by the contract's field names.</summary>
public static partial class SubscriptionRules
{
    public const int MaxComponents = 200;

    public static (SubscriptionRequest? Request, Dictionary<string, string[]> Errors) Validate(Subscribe command)
    {
        var errors = new Dictionary<string, string[]>();
        var channel = command.Channel?.Trim().ToLowerInvariant() ?? "";
        if (!SubscriptionChannel.All.Contains(channel))
            errors["channel"] = [$"Must be one of {string.Join(", ", SubscriptionChannel.All)}."];

        var address = command.Address?.Trim() ?? "";
        if (AddressProblem(channel, address) is { } addressProblem)
            errors["address"] = [addressProblem];

        var components = (command.ComponentIds ?? []).Select(c => c?.Trim() ?? "").ToList();
        if (ComponentsProblem(components) is { } componentsProblem)
            errors["componentIds"] = [componentsProblem];

        var incident = string.IsNullOrWhiteSpace(command.IncidentId) ? null : command.IncidentId.Trim();
        if (incident is not null && !Id().IsMatch(incident))
            errors["incidentId"] = ["Must be an incident id (letters, digits, '.', '_' or '-', at most 100)."];
        if (incident is not null && components.Count > 0)
            errors["incidentId"] = ["Choose components or one incident, not both."];

        var locale = string.IsNullOrWhiteSpace(command.Locale) ? "en" : command.Locale.Trim().ToLowerInvariant();
        if (!Texts.Locales.Contains(locale))
            errors["locale"] = [$"Must be one of {string.Join(", ", Texts.Locales)}."];

        if (errors.Count > 0)
            return (null, errors);
        var scope = incident is not null ? SubscriptionScope.Incident : components.Count > 0 ? SubscriptionScope.Components : SubscriptionScope.Page;
        return (new SubscriptionRequest(channel, address, scope, [.. components.Distinct(StringComparer.Ordinal)], incident, locale), errors);
    }

    public static string? AddressProblem(string channel, string address) => channel switch
    {
        SubscriptionChannel.Email => address.Length == 0 ? "An email address is required."
            : address.Length > 254 || !MailAddress.TryCreate(address, out var parsed) || parsed.Address != address || parsed.DisplayName.Length > 0
                ? $"'{Shorten(address)}' is not an email address."
            : null,
        SubscriptionChannel.Sms => Phone().IsMatch(address) ? null : "Must be a phone number in E.164 form, such as +4915112345678.",
        _ when SubscriptionChannel.All.Contains(channel) => WebhookTargets.SyntaxProblem(address),
        _ => null,
    };

    /// <summary>A change of an existing subscription (by its manage link or by an admin): the chosen components and the locale.</summary>
    public static (List<string> Components, string? Locale, Dictionary<string, string[]> Errors) ValidateChange(IReadOnlyList<string?>? componentIds, string? locale)
    {
        var components = (componentIds ?? []).Select(c => c?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        var errors = new Dictionary<string, string[]>();
        if (ComponentsProblem(components) is { } problem)
            errors["componentIds"] = [problem];
        locale = locale?.Trim().ToLowerInvariant();
        if (locale is not null && !Texts.Locales.Contains(locale))
            errors["locale"] = [$"Must be one of {string.Join(", ", Texts.Locales)}."];
        return (components, locale, errors);
    }

    public static string? ComponentsProblem(IReadOnlyList<string> components) =>
        components.Count > MaxComponents ? $"At most {MaxComponents} components."
        : components.FirstOrDefault(c => !Id().IsMatch(c)) is { } bad
            ? $"'{Shorten(bad)}' is not a component id (letters, digits, '.', '_' or '-', at most 100)."
        : null;

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex Phone();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Id();
}
