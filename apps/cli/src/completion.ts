import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { KINDS } from './resources.js';

// Shell completion generated from the program itself, so it never lists a command that is gone.

interface Node {
  path: string[];
  words: string[];
}

function walk(c: Command, path: string[], out: Node[]): void {
  const subs = c.commands.map((s) => s.name());
  const opts = c.options.map((o) => o.long).filter((x): x is string => typeof x === 'string');
  const words = [...subs, ...opts];
  if (path.length > 0 && ['get', 'describe'].includes(path[path.length - 1]!))
    words.push(...KINDS.map((k) => k.name));
  out.push({ path, words });
  for (const s of c.commands) walk(s, [...path, s.name()], out);
}

export function completion(program: Command, shell: string): string {
  const nodes: Node[] = [];
  walk(program, [], nodes);
  const cases = nodes.map((n) => `    "${n.path.join(' ')}") words="${n.words.join(' ')}" ;;`).join('\n');
  const body = `_xdv_words() {
  local path="$1" words=""
  case "$path" in
${cases}
  esac
  echo "$words"
}`;
  if (shell === 'bash')
    return `# xdv bash completion: source <(xdv completion bash)
${body}
_xdv() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if [[ " $(_xdv_words "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; fi
  done
  COMPREPLY=( $(compgen -W "$(_xdv_words "$path")" -- "$cur") )
}
complete -F _xdv xdv
`;
  if (shell === 'zsh')
    return `#compdef xdv
# xdv zsh completion: source <(xdv completion zsh)
${body}
_xdv() {
  local path="" w i
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && continue
    if [[ " $(_xdv_words "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; fi
  done
  compadd -- \${=$(_xdv_words "$path")}
}
compdef _xdv xdv
`;
  throw new UsageError(`completion for ${shell} is not available; use bash or zsh`);
}
