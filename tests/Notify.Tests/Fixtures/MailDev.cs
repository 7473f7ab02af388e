using System.Net.Http.Json;

namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>
/// Reads what the local MailDev received (GET /api/email). Other tests share it, so a test only ever looks at
/// mail to addresses it made up itself, and never clears the inbox.
/// </summary>
public static class MailDev
{
    private static readonly HttpClient Http = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("SP_MAILDEV_URL") ?? "http://127.0.0.1:1080/"),
    };

    public static async Task<IReadOnlyList<ReceivedEmail>> EmailsToAsync(string address)
    {
        var all = await Http.GetFromJsonAsync<List<ReceivedEmail>>("api/email") ?? [];
        return all.Where(m => m.To.Any(to => string.Equals(to.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    /// <summary>The message exactly as the SMTP server received it (MailDev: GET /api/email/{id}/source).</summary>
    public static Task<string> SourceAsync(ReceivedEmail email) => Http.GetStringAsync(new Uri($"api/email/{email.Id}/source", UriKind.Relative));
}

public sealed record ReceivedEmail(
    string Subject,
    string? Text,
    string? Html,
    IReadOnlyList<MailboxAddress> To,
    IReadOnlyList<MailboxAddress> From,
    IReadOnlyDictionary<string, object> Headers,
    string? Id = null)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value.ToString() : null;

    public string? MessageId => Headers.TryGetValue("message-id", out var id) ? id.ToString() : null;
}

public sealed record MailboxAddress(string Address);
