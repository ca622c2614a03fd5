// handlebars.js 4.7 rendering each [template, context] pair read as JSON from stdin:
// writes a JSON array of {text} or {error}. formatDate is the kit's offline stand-in.
import Handlebars from "handlebars";

const H = Handlebars.create();
H.registerHelper("formatDate", function (...args) {
  const value = args.length > 1 ? args[0] : undefined;
  return value == null ? "" : String(value);
});
console.warn = () => {};
console.error = () => {};
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(([template, context]) => {
    try {
      return { text: H.compile(template)(context) };
    } catch (error) {
      return { error: String(error.message).split("\n")[0] };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
