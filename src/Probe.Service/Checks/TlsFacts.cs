using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// What one TLS handshake showed about the server's certificate, recorded in the validation callback whether or not the
/// check trusts it, so that a reason can say "expired on 2025-03-01" instead of "rejected by the callback".
/// </summary>
public sealed class TlsFacts
{
    public bool CertificateSeen { get; private set; }

    public string Subject { get; private set; } = "";

    public DateTimeOffset NotBefore { get; private set; }

    public DateTimeOffset NotAfter { get; private set; }

    public SslPolicyErrors Errors { get; private set; }

    public X509ChainStatusFlags ChainErrors { get; private set; }

    /// <summary>Records the certificate; returns whether the platform's validation passed.</summary>
    public bool Record(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        Errors = errors;
        if (certificate is not null)
        {
            using var loaded = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var certificate2 = loaded ?? (X509Certificate2)certificate;
            CertificateSeen = true;
            Subject = certificate2.Subject;
            NotBefore = new DateTimeOffset(certificate2.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            NotAfter = new DateTimeOffset(certificate2.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
        // The chain's own validity check repeats the dates; report those once, from the certificate itself.
        ChainErrors = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
        return errors == SslPolicyErrors.None;
    }

    public bool Expired(DateTimeOffset now) => CertificateSeen && NotAfter < now;

    public bool NotYetValid(DateTimeOffset now) => CertificateSeen && NotBefore > now;

    /// <summary>Whole days until expiry, rounded down; negative once expired.</summary>
    public int DaysLeft(DateTimeOffset now) => (int)Math.Floor((NotAfter - now).TotalDays);

    /// <summary>Everything wrong with the certificate in words, or null when nothing is.</summary>
    public string? Problem(string host, DateTimeOffset now, bool trustMatters = true)
    {
        if (!CertificateSeen)
            return Errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) ? "the server sent no certificate" : null;
        var problems = new List<string>();
        if (Expired(now))
            problems.Add($"the certificate expired on {Date(NotAfter)} ({(now - NotAfter).TotalDays:0} days ago)");
        else if (NotYetValid(now))
            problems.Add($"the certificate is not valid before {Date(NotBefore)}");
        if (trustMatters && Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            problems.Add($"the certificate ({Subject}) is not for {host}");
        var chain = ChainErrors & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested);
        if (trustMatters && chain != X509ChainStatusFlags.NoError)
            problems.Add(chain.HasFlag(X509ChainStatusFlags.UntrustedRoot)
                ? $"the certificate is not trusted: self-signed or issued by an unknown authority ({chain})"
                : $"the certificate chain is invalid ({chain})");
        else if (trustMatters && Errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && problems.Count == 0)
            problems.Add("the certificate chain is invalid");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
