using System.Security.Cryptography;

namespace StatusPlatform.StatusApi.Console;

/// <summary>The console's files embedded in the assembly (Console/Assets): its schema and its style sheet.</summary>
public static class ConsoleAssets
{
    public static async Task<string> ReadTextAsync(string name)
    {
        await using var stream = Open(name);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    public static string ReadText(string name)
    {
        using var stream = Open(name);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static byte[] ReadBytes(string name)
    {
        using var stream = Open(name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static Stream Open(string name) => typeof(ConsoleAssets).Assembly.GetManifestResourceStream("console/" + name)
        ?? throw new InvalidOperationException($"Embedded resource console/{name} is missing.");
}

/// <summary>/console/console.css, built into the assembly so the console needs nothing from wwwroot; tagged by its content.</summary>
public sealed class ConsoleStyleSheet
{
    private readonly byte[] _bytes = ConsoleAssets.ReadBytes("console.css");

    public string ETag => $"\"{Convert.ToHexStringLower(SHA256.HashData(_bytes).AsSpan(0, 16))}\"";

    public IResult Serve(HttpContext context)
    {
        context.Response.Headers.CacheControl = "private, max-age=300";
        context.Response.Headers.ETag = ETag;
        return context.Request.Headers.IfNoneMatch == ETag
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(_bytes, "text/css; charset=utf-8");
    }
}
