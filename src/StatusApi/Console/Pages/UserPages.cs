using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Users;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>Console users and API keys (admin only): create, list, disable or revoke. A new key is shown once, on the answer page.</summary>
public static class UserPages
{
    public static async Task<IResult> GetAsync(HttpContext context, ConsoleSite site, ConsoleUsers users, ApiKeys keys, string? done = null) =>
        await site.PageAsync<UsersPage>(await ModelAsync(await site.FrameAsync(context, "Users and keys", done), users, keys, context.RequestAborted));

    public static async Task<IResult> PostUserAsync(HttpContext context, ConsoleSite site, ConsoleUsers users, ApiKeys keys)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var (username, role, password) = (form["username"].ToString().Trim(), form["role"].ToString(), form["password"].ToString());
        var errors = new Dictionary<string, string[]>();
        if (ConsoleUserRules.NameProblem(username) is { } name)
            errors["username"] = [name];
        if (ConsoleUserRules.RoleProblem(role) is { } badRole)
            errors["role"] = [badRole];
        if (ConsoleUserRules.PasswordProblem(password) is { } badPassword)
            errors["password"] = [badPassword];
        if (errors.Count == 0 && await users.CreateAsync(username, role, password, ConsoleAuth.Actor(context), ct) is null)
            errors["username"] = [$"'{username}' is taken: names say who acted, so they are unique"];
        if (errors.Count == 0)
            return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/users", "user");
        var model = await ModelAsync(await site.FrameAsync(context, "Users and keys"), users, keys, ct);
        return await site.PageAsync<UsersPage>(model with { Errors = errors, Username = username, Role = role }, StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> PostDisableAsync(HttpContext context, ConsoleSite site, ConsoleUsers users, string id) =>
        await users.DisableAsync(id, context.RequestAborted)
            ? ConsoleSite.SeeOther(ConsoleRoutes.Root + "/users", "disabled")
            : await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such user", $"There is no user '{id}'.");

    public static async Task<IResult> PostKeyAsync(HttpContext context, ConsoleSite site, ConsoleUsers users, ApiKeys keys)
    {
        var ct = context.RequestAborted;
        var form = await context.Request.ReadFormAsync(ct);
        var (name, role) = (form["key_name"].ToString().Trim(), form["key_role"].ToString());
        var errors = new Dictionary<string, string[]>();
        if (name.Length is 0 or > KeysApi.MaxNameLength || name == ApiKeys.BootstrapName)
            errors["key_name"] = [$"must be 1 to {KeysApi.MaxNameLength} characters and not '{ApiKeys.BootstrapName}'"];
        if (ConsoleUserRules.RoleProblem(role) is { } badRole)
            errors["key_role"] = [badRole];
        string? created = null;
        if (errors.Count == 0)
        {
            if (await keys.CreateAsync(name, role, ConsoleAuth.Actor(context), ct) is { } key)
                created = key.Key;
            else
                errors["key_name"] = [$"'{name}' is the name of another live key"];
        }
        var model = await ModelAsync(await site.FrameAsync(context, "Users and keys"), users, keys, ct);
        return await site.PageAsync<UsersPage>(model with { Errors = errors, NewKey = created },
            errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> PostRevokeKeyAsync(HttpContext context, ConsoleSite site, ApiKeys keys, string id) =>
        await keys.RevokeAsync(id, context.RequestAborted) is not null
            ? ConsoleSite.SeeOther(ConsoleRoutes.Root + "/users", "revoked")
            : await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such key", $"There is no key '{id}'.");

    private static async Task<UsersModel> ModelAsync(ConsoleFrame frame, ConsoleUsers users, ApiKeys keys, CancellationToken ct) =>
        new(frame, await users.ListAsync(ct), await keys.ListAsync(ct), "", ApiRole.Responder, null, new Dictionary<string, string[]>());
}

public sealed record UsersModel(
    ConsoleFrame Frame, IReadOnlyList<ConsoleUser> Users, IReadOnlyList<ApiKeyRow> Keys, string Username, string Role, string? NewKey,
    IReadOnlyDictionary<string, string[]> Errors);
