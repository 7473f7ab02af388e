using Microsoft.AspNetCore.Authentication;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Users;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>Sign-in and sign-out. Every failure reads the same (wrong name, wrong password, locked), so the form tells an attacker nothing.</summary>
public static class SignInPages
{
    public const string Failed = "The name or password is wrong, or this account is locked for a while after too many failed attempts.";

    public static async Task<IResult> GetSignInAsync(HttpContext context, ConsoleSite site, string? returnUrl = null) =>
        await site.PageAsync<SignInPage>(new SignInModel(await site.FrameAsync(context, "Sign in"), "", LocalOnly(returnUrl), null));

    public static async Task<IResult> PostSignInAsync(HttpContext context, ConsoleSite site, ConsoleUsers users, ILogger<ConsoleUsers> logger)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var username = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        var returnUrl = LocalOnly(form["returnUrl"].ToString());
        if (username.Length is 0 or > ConsoleUserRules.MaxNameLength || password.Length is 0 or > ConsoleUserRules.MaxPasswordLength)
            return await site.PageAsync<SignInPage>(new SignInModel(await site.FrameAsync(context, "Sign in"), username, returnUrl, Failed), StatusCodes.Status401Unauthorized);

        switch (await users.SignInAsync(username, password, context.RequestAborted))
        {
            case SignInResult.Succeeded(var user):
                await context.SignInAsync(ConsoleAuth.Scheme, ConsoleAuth.Principal(user));
                logger.LogInformation("Console user {User} signed in", user.Username);
                return TypedResults.Redirect(returnUrl ?? ConsoleRoutes.Root);
            case SignInResult.LockedOut(var until):
                logger.LogWarning("Console sign-in for {User} refused: locked until {Until}", username, until);
                break;
            default:
                logger.LogWarning("Console sign-in for {User} failed", username);
                break;
        }
        return await site.PageAsync<SignInPage>(new SignInModel(await site.FrameAsync(context, "Sign in"), username, returnUrl, Failed), StatusCodes.Status401Unauthorized);
    }

    public static async Task<IResult> PostSignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(ConsoleAuth.Scheme);
        return TypedResults.Redirect(ConsoleRoutes.Root + "/sign-in");
    }

    // Only a path inside the console: a sign-in link must not be able to send the user on to another site.
    private static string? LocalOnly(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith(ConsoleRoutes.Root, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal) && (url.Length == ConsoleRoutes.Root.Length || url[ConsoleRoutes.Root.Length] is '/' or '?')
            ? url
            : null;
}

public sealed record SignInModel(ConsoleFrame Frame, string Username, string? ReturnUrl, string? Error);
