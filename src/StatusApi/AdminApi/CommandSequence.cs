using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.AdminApi;

/// <summary>
/// Several Incident.Service commands for one request (a group and the components moved into it), each one all or nothing
/// on its own: every accepted command may register the command that reverses it, and when a later one is refused the
/// applied ones are reversed newest first, so the request as a whole changes nothing. Reversing is itself a command and can
/// in turn be refused (someone changed the component meanwhile) or go unanswered; that is logged with what was left, and
/// the answer says so (<see cref="Undone"/> false).
/// </summary>
public sealed class CommandSequence(IncidentServiceClient service, ILogger logger)
{
    private readonly Stack<(string What, Func<CancellationToken, Task<object>> Send)> _undo = new();

    /// <summary>True unless reversing an applied command failed.</summary>
    public bool Undone { get; private set; } = true;

    /// <summary>Sends the command; when accepted and <paramref name="undo"/> gives a reversing command, remembers it.</summary>
    public async Task<object> SendAsync<T>(T command, CancellationToken ct, Func<CommandAccepted, object?>? undo = null) where T : class
    {
        var answer = await service.SendAsync(command, ct);
        if (answer is CommandAccepted accepted && undo?.Invoke(accepted) is { } reverse)
            _undo.Push(($"{typeof(T).Name} {accepted.Id}", c => SendUntypedAsync(reverse, c)));
        return answer;
    }

    /// <summary>Reverses what was applied, newest first. Runs to the end even when the client has gone away.</summary>
    public async Task UndoAsync()
    {
        while (_undo.TryPop(out var step))
        {
            try
            {
                if (await step.Send(CancellationToken.None) is not CommandAccepted)
                {
                    Undone = false;
                    logger.LogError("Could not reverse {Step} after a later command of the same request was refused; it stays applied", step.What);
                }
            }
            catch (IncidentServiceUnavailableException e)
            {
                Undone = false;
                logger.LogError(e, "Could not reverse {Step}: Incident.Service did not answer; it stays applied", step.What);
            }
        }
    }

    // MassTransit addresses a request by its static type, so each reversing command is sent as what it is.
    private Task<object> SendUntypedAsync(object command, CancellationToken ct) => command switch
    {
        UpdateComponent c => service.SendAsync(c, ct),
        DeleteComponent c => service.SendAsync(c, ct),
        SetComponentOverride c => service.SendAsync(c, ct),
        _ => throw new InvalidOperationException($"No way to send {command.GetType().Name} as a reversing command."),
    };
}

/// <summary>Maps Incident.Service's refusals to ProblemDetails whose field errors name paths of the request body.</summary>
public static class CommandErrors
{
    /// <summary>
    /// The refusal's field errors under the body's <paramref name="wrapper"/> (<c>name</c> -> <c>component.name</c>);
    /// <paramref name="rename"/> maps the command's field names that differ from the body's (<c>component_id</c> -> <c>id</c>,
    /// or to "" for the resource as a whole). Names in another casing are written snake_case, as the body is.
    /// </summary>
    public static ProblemHttpResult Invalid(CommandRejected rejected, string wrapper, IReadOnlyDictionary<string, string>? rename = null, string? title = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, messages) in rejected.Errors)
        {
            var field = key.Any(char.IsUpper) ? JsonNamingPolicy.SnakeCaseLower.ConvertName(key) : key;
            if (field.StartsWith(wrapper + ".", StringComparison.Ordinal))
                field = field[(wrapper.Length + 1)..];
            field = rename?.GetValueOrDefault(field) ?? field;
            var path = field.Length == 0 ? wrapper : $"{wrapper}.{field}";
            errors[path] = errors.TryGetValue(path, out var earlier) ? [.. earlier, .. messages] : messages;
        }
        return AdminProblems.Invalid(errors, title ?? rejected.Title);
    }

    /// <summary>The usual answer to a refusal, a conflict, or an answer this API does not know; null for CommandAccepted.</summary>
    public static ProblemHttpResult? Problem(object answer, HttpContext context, string what, string id, string wrapper,
        IReadOnlyDictionary<string, string>? rename = null) => answer switch
    {
        CommandAccepted => null,
        CommandRejected { NotFound: true } => AdminProblems.NotFound(what, id),
        CommandRejected rejected => Invalid(rejected, wrapper, rename),
        CommandConflict conflict => AdminProblems.Conflict(context, conflict.ExpectedVersion, conflict.CurrentVersion),
        _ => throw new InvalidOperationException("Unknown command answer."),
    };

    /// <summary>
    /// A later command of a request was refused after earlier ones were applied and reversing them failed: the request is
    /// half done, which the answer says plainly (500: the client cannot fix it by changing the request).
    /// </summary>
    public static ProblemHttpResult HalfApplied(string detail) => TypedResults.Problem(
        detail + " Some of the request's earlier changes could not be reversed and stay applied (see the log); read the resources again.",
        statusCode: StatusCodes.Status500InternalServerError, title: "The request was applied in part", type: AdminProblems.Type("partially-applied"));
}
