using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>How the public page state is kept in memory and served (configuration section <c>PublicApi</c>).</summary>
public sealed class PublicApiOptions
{
    public const string Section = "PublicApi";

    /// <summary>
    /// Safety net: read the whole read model this often even when no event arrived. No event says that a component
    /// was added or renamed by the configuration file, and an event can be missed while the broker is away; this
    /// bounds how long either leaves the page wrong. Also how often an unreachable database is tried again.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A read that takes longer counts as failed, so a database that hangs marks the page stale instead of freezing it.</summary>
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>Cache-Control: public, max-age</c> of the v2 responses. Five seconds lets a CDN or proxy answer a storm of
    /// readers with one request per URL every five seconds, and adds at most five seconds to a change that takes about
    /// twenty to detect (monitor interval times failure threshold); the ETag makes the revalidation after it cheap.
    /// </summary>
    public int CacheMaxAgeSeconds { get; set; } = 5;

    /// <summary>Names this replica's own event queue; unique per running replica (the random part covers two in one process).</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary><c>public, max-age=…</c>, built once rather than per response.</summary>
    public StringValues CacheControlHeader { get; private set; }

    /// <summary>Retry-After of a 503 before the first read: when the next read is due, in whole seconds (at most a minute).</summary>
    public StringValues RetryAfterHeader { get; private set; }

    /// <summary>Reads and checks the section; a bad value stops start-up with a message naming the key.</summary>
    public static PublicApiOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<PublicApiOptions>() ?? new PublicApiOptions();
        Require(options.RefreshInterval > TimeSpan.Zero, nameof(RefreshInterval), "must be positive");
        Require(options.RefreshTimeout > TimeSpan.Zero, nameof(RefreshTimeout), "must be positive");
        Require(options.CacheMaxAgeSeconds >= 0, nameof(CacheMaxAgeSeconds), "must not be negative");
        Require(!string.IsNullOrWhiteSpace(options.InstanceId), nameof(InstanceId), "must not be empty");
        options.CacheControlHeader = $"public, max-age={options.CacheMaxAgeSeconds.ToString(CultureInfo.InvariantCulture)}";
        options.RetryAfterHeader = Math.Clamp(Math.Ceiling(options.RefreshInterval.TotalSeconds), 1, 60).ToString(CultureInfo.InvariantCulture);
        return options;
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
            throw new InvalidOperationException($"Configuration {Section}:{key} {problem}.");
    }
}
