/** How to call Z-AI with a key: the base URL and a short SDK snippet. */
export function UseKeyCard() {
  const baseUrl = `${window.location.origin}/v1`;
  const snippet = [
    'import OpenAI from "openai";',
    '',
    `const client = new OpenAI({ baseURL: "${baseUrl}", apiKey: process.env.ZAI_API_KEY });`,
    'const answer = await client.chat.completions.create({',
    '  model: "openai/gpt-4o-mini",',
    '  messages: [{ role: "user", content: "Hello!" }],',
    '});',
  ].join('\n');
  return (
    <section className="card use-key" aria-labelledby="use-key-title">
      <h2 id="use-key-title" className="card-title">
        Use a key
      </h2>
      <p className="muted">
        Any OpenAI SDK works unchanged: set its base URL to <code>{baseUrl}</code> and pick models as <code>provider/model</code>.
      </p>
      <pre className="code-block">
        <code>{snippet}</code>
      </pre>
    </section>
  );
}
