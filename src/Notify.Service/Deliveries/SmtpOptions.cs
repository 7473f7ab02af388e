using System.Net.Mail;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>Where email goes out (configuration section <c>Smtp</c>); the defaults point at the local MailDev.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    public string From { get; set; } = "status@statusplatform.local";

    /// <summary>For one SMTP exchange: connecting up to EHLO, or one whole message from MAIL FROM to the server's reply to its end.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>SMTP connections kept open at most; 0: as many as the email channel sends at once (Delivery:Channels:email:Concurrency).</summary>
    public int MaxConnections { get; set; }

    /// <summary>
    /// Messages over one connection before it is closed and a new one opened: some servers limit messages per session
    /// (Exchange's receive connectors to 20 by default), and a new session now and then costs little.
    /// </summary>
    public int MaxMessagesPerConnection { get; set; } = 100;

    /// <summary>An open connection unused this long is closed (QUIT), well before a server's own idle timeout (Postfix: 300 s).</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What is wrong with the configured values, or null.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Host) ? "Smtp:Host is empty."
        : Port is < 1 or > 65535 ? $"Smtp:Port {Port} is not a TCP port."
        : !MailAddress.TryCreate(From, out var from) ? $"Smtp:From '{From}' is not an email address."
        : !SendableAddress(from.Address) ? $"Smtp:From '{From}' needs an ASCII local part (SMTPUTF8 is not supported)."
        : Timeout <= TimeSpan.Zero ? "Smtp:Timeout must be positive."
        : MaxConnections is < 0 or > 256 ? "Smtp:MaxConnections must be between 0 (the email channel's concurrency) and 256."
        : MaxMessagesPerConnection < 1 ? "Smtp:MaxMessagesPerConnection must be at least 1."
        : ConnectionIdleTimeout < TimeSpan.FromSeconds(1) ? "Smtp:ConnectionIdleTimeout must be at least 1 s."
        : null;

    private static bool SendableAddress(string address)
    {
        try
        {
            Channels.EmailMime.AsciiAddress(address);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
