using System.Net.Mail;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>Where email goes out (configuration section <c>Smtp</c>); the defaults point at the local MailDev.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    public string From { get; set; } = "status@statusplatform.local";

    /// <summary>For one whole message; SmtpClient.Timeout covers only the synchronous Send.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What is wrong with the configured values, or null.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Host) ? "Smtp:Host is empty."
        : Port is < 1 or > 65535 ? $"Smtp:Port {Port} is not a TCP port."
        : !MailAddress.TryCreate(From, out _) ? $"Smtp:From '{From}' is not an email address."
        : Timeout <= TimeSpan.Zero ? "Smtp:Timeout must be positive."
        : null;
}
