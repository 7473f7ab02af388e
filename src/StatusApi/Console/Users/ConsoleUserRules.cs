using System.Text.RegularExpressions;
using StatusPlatform.StatusApi.AdminApi.Keys;

namespace StatusPlatform.StatusApi.Console.Users;

/// <summary>What a console user's name, role and password must be (the same roles as API keys).</summary>
public static partial class ConsoleUserRules
{
    public const int MaxNameLength = 64;
    public const int MaxPasswordLength = 256;

    public static string? NameProblem(string name) =>
        name.Length is 0 or > MaxNameLength || !NamePattern().IsMatch(name)
            ? $"must be 1 to {MaxNameLength} letters, digits, dots, dashes or underscores (it is the name recorded as who acted)"
            : null;

    public static string? RoleProblem(string role) =>
        ApiRole.All.Contains(role) ? null : $"'{role}' is not one of {string.Join(", ", ApiRole.All)}";

    public static string? PasswordProblem(string password) =>
        password.Length < ConsoleOptions.MinimumPasswordLength ? $"must be at least {ConsoleOptions.MinimumPasswordLength} characters"
        : password.Length > MaxPasswordLength ? $"must be at most {MaxPasswordLength} characters"
        : null;

    [GeneratedRegex(@"^[\p{L}\p{Nd}._-]+$")]
    private static partial Regex NamePattern();
}
