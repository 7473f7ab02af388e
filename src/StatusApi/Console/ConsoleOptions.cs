using StatusPlatform.StatusApi.Console.Users;

namespace StatusPlatform.StatusApi.Console;

/// <summary>The admin console (configuration section <c>Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>OWASP's 2023 floor for PBKDF2-HMAC-SHA256; fewer would make a stolen table cheap to guess through.</summary>
    public const int MinimumIterations = 600_000;

    public const int MinimumPasswordLength = 12;

    /// <summary>
    /// The first admin's name and password (a secret store or environment variable, never a file in the repository).
    /// The password is hashed at start and kept nowhere else; configuration is the truth for this one user, so changing
    /// the password here and restarting changes it (and ends its sessions).
    /// </summary>
    public string? BootstrapUser { get; set; }

    public string? BootstrapPassword { get; set; }

    /// <summary>PBKDF2 iterations for new hashes; a stored hash with fewer is re-hashed at its next successful sign-in.</summary>
    public int PasswordIterations { get; set; } = MinimumIterations;

    /// <summary>Wrong passwords in a row before the user is locked out.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>The first lockout; each further wrong password after it doubles the wait, up to <see cref="MaxLockoutMinutes"/>.</summary>
    public int LockoutMinutes { get; set; } = 1;

    public int MaxLockoutMinutes { get; set; } = 60;

    /// <summary>A session ends after this long without a request (sliding).</summary>
    public int SessionMinutes { get; set; } = 8 * 60;

    /// <summary>How long the console waits for Notify.Service to count the subscribers an update will reach.</summary>
    public int AudienceTimeoutSeconds { get; set; } = 5;

    public TimeSpan Session => TimeSpan.FromMinutes(SessionMinutes);

    public TimeSpan AudienceTimeout => TimeSpan.FromSeconds(AudienceTimeoutSeconds);

    /// <summary>The lockout after <paramref name="failures"/> wrong passwords in a row, or null while under the threshold.</summary>
    public TimeSpan? LockoutAfter(int failures)
    {
        if (failures < MaxFailedAttempts)
            return null;
        var doublings = Math.Min(failures - MaxFailedAttempts, 16);
        return TimeSpan.FromMinutes(Math.Min(LockoutMinutes * Math.Pow(2, doublings), MaxLockoutMinutes));
    }

    /// <summary>Reads and checks the section; a bad value stops start-up with a message naming the key (never a password).</summary>
    public static ConsoleOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        options.BootstrapUser = string.IsNullOrWhiteSpace(options.BootstrapUser) ? null : options.BootstrapUser.Trim();
        options.BootstrapPassword = string.IsNullOrEmpty(options.BootstrapPassword) ? null : options.BootstrapPassword;
        Require((options.BootstrapUser is null) == (options.BootstrapPassword is null), nameof(BootstrapPassword),
            "and Console:BootstrapUser must be set together");
        Require(options.BootstrapPassword is null || options.BootstrapPassword.Length >= MinimumPasswordLength, nameof(BootstrapPassword),
            $"must be at least {MinimumPasswordLength} characters");
        Require(options.BootstrapUser is null || ConsoleUserRules.NameProblem(options.BootstrapUser) is null, nameof(BootstrapUser),
            ConsoleUserRules.NameProblem(options.BootstrapUser ?? "") ?? "");
        Require(options.PasswordIterations >= MinimumIterations, nameof(PasswordIterations), $"must be at least {MinimumIterations}");
        Require(options.MaxFailedAttempts > 0, nameof(MaxFailedAttempts), "must be positive");
        Require(options.LockoutMinutes > 0 && options.MaxLockoutMinutes >= options.LockoutMinutes, nameof(LockoutMinutes),
            "must be positive and at most Console:MaxLockoutMinutes");
        Require(options.SessionMinutes > 0, nameof(SessionMinutes), "must be positive");
        Require(options.AudienceTimeoutSeconds > 0, nameof(AudienceTimeoutSeconds), "must be positive");
        return options;
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
            throw new InvalidOperationException($"Configuration {Section}:{key} {problem}.");
    }
}
