using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BertFunctions.Functions.Http;

/// <summary>Runs an <see cref="IResult"/> (what the shared API returns) as the <see cref="IActionResult"/> an HTTP function returns.</summary>
internal sealed class ResultActionResult(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.ExecuteAsync(context.HttpContext);
    }
}
