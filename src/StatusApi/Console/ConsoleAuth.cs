using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.Console.Users;

namespace StatusPlatform.StatusApi.Console;

/// <summary>
/// Console sessions: an ASP.NET Core cookie (Secure, HttpOnly, SameSite=Strict, path /console) holding the user's id,
/// name, role and security stamp, checked against api.console_users on every request, so a disabled user or a
/// changed password or role ends the session at once on every replica. Roles are the API keys' roles.
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "Console";
    public const string Read = "console-read";
    public const string ManageIncidents = "console-incidents";
    public const string ManageEverything = "console-admin";
    public const string StampClaim = "console_stamp";
    public const string CsrfField = "__csrf";

    /// <summary>Where the session check leaves a database failure for the console's 503 filter (HttpContext.Items).</summary>
    public const string DatabaseDownItem = "console.database-down";

    public static void AddConsoleAuth(this IHostApplicationBuilder builder, ConsoleOptions options)
    {
        builder.Services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "sp_console";
            cookie.Cookie.Path = ConsoleRoutes.Root;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.ExpireTimeSpan = options.Session;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = ConsoleRoutes.Root + "/sign-in";
            cookie.LogoutPath = ConsoleRoutes.Root + "/sign-out";
            cookie.Events.OnValidatePrincipal = ValidateAsync;
            // A signed-in user without the role sees a page that says so, not a redirect to a sign-in they already did.
            cookie.Events.OnRedirectToAccessDenied = async context =>
            {
                var site = context.HttpContext.RequestServices.GetRequiredService<ConsoleSite>();
                await (await site.NoticeAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed",
                    "Your role may not do this. Ask an admin if you need it.")).ExecuteAsync(context.HttpContext);
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Read, Roles(ApiRole.Admin, ApiRole.Responder, ApiRole.Viewer))
            .AddPolicy(ManageIncidents, Roles(ApiRole.Admin, ApiRole.Responder))
            .AddPolicy(ManageEverything, Roles(ApiRole.Admin));
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "sp_console_csrf";
            antiforgery.Cookie.Path = ConsoleRoutes.Root;
            // Not Always: antiforgery then throws on every plain-HTTP request, which breaks a console behind a
            // TLS-terminating proxy without forwarded headers. This cookie is only half of the token pair, unlike the session.
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.FormFieldName = CsrfField;
            // The console's pages send X-Frame-Options: DENY themselves.
            antiforgery.SuppressXFrameOptionsHeader = true;
        });
    }

    public static ClaimsPrincipal Principal(ConsoleUser user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id),
            new Claim(ClaimTypes.Name, user.Username),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(StampClaim, user.SecurityStamp),
        ], Scheme, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>The name recorded as the actor of every command the user sends.</summary>
    public static string Actor(HttpContext context) =>
        context.User.Identity?.Name ?? throw new InvalidOperationException("A console write without a signed-in user.");

    /// <summary>
    /// 400 for a form without a valid antiforgery token, on every console POST (the sign-in form included, against
    /// login CSRF). Validated here rather than by the antiforgery middleware so that it runs after authorization
    /// (the token is bound to the signed-in user) and answers with a console page.
    /// </summary>
    public static async ValueTask<object?> RequireAntiforgery(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            try
            {
                await antiforgery.ValidateRequestAsync(context);
            }
            catch (AntiforgeryValidationException)
            {
                var site = context.RequestServices.GetRequiredService<ConsoleSite>();
                return await site.NoticeAsync(context, StatusCodes.Status400BadRequest, "Form expired",
                    "This form could not be verified (it is too old, or it was not sent from the console). Nothing was changed: go back, reload the page and send it again.");
            }
        }
        return await next(invocation);
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var id = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var users = context.HttpContext.RequestServices.GetRequiredService<ConsoleUsers>();
        ConsoleUser? user;
        try
        {
            user = id is null ? null : await users.FindAsync(id, context.HttpContext.RequestAborted);
        }
        catch (NpgsqlException e)
        {
            // The session cannot be checked, so nothing may be done with it; ending it would send the person to a sign-in
            // that cannot work either. The console's filter answers 503 with a page that says why.
            context.HttpContext.Items[DatabaseDownItem] = e;
            return;
        }
        if (user is null || user.SecurityStamp != principal!.FindFirstValue(StampClaim) || user.Role != principal!.FindFirstValue(ClaimTypes.Role))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static Action<Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder> Roles(params string[] roles) =>
        policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireRole(roles);
}
