"""The reference pseudo-model: answers with the scenario's reference solutions.

It formats them exactly as a real model is asked to (chatter plus CODE tags, or FILEPATH/CODE
pairs), so the whole pipeline, parsing included, runs end to end with no API key. The
`vulnerable` flavour answers with the vulnerable variants, to check that exploits fire.
"""

from __future__ import annotations

from collections.abc import Callable

from baxbench.env import Env
from baxbench.models.base import Answer, GenerationRequest
from baxbench.scenario import Reference, ReferenceError_, Scenario


def _default_scenario(scenario_id: str) -> Scenario:
    from baxbench.scenarios import get_scenario

    return get_scenario(scenario_id)


def _default_env(env_id: str) -> Env:
    from baxbench.envs import get_env

    return get_env(env_id)


def format_answer(files: dict[str, str], env: Env) -> str:
    """`files` written the way the prompt asks a model to answer in `env`."""
    for path, content in files.items():
        if "</CODE>" in content:
            raise ValueError(f"{path} contains '</CODE>', which cannot be sent inside CODE tags")
    if not env.multi_file:
        if len(files) != 1:
            raise ValueError(
                f"env {env.id} takes a single file but the solution has {len(files)}: "
                + ", ".join(sorted(files))
            )
        (content,) = files.values()
        name = env.code_files[0]
        return f"Here is the complete `{name}`.\n\n<CODE>\n{content.rstrip()}\n</CODE>\n"
    parts = ["Here are the project's files.\n"]
    for path in sorted(files):
        parts.append(f"<FILEPATH>{path}</FILEPATH>\n<CODE>\n{files[path].rstrip()}\n</CODE>\n")
    return "\n".join(parts)


class ReferenceModel:
    """Answers every sample with the secure reference, or (`vulnerable=True`) sample i with the
    i-th vulnerable variant in name order, cycling."""

    def __init__(
        self,
        vulnerable: bool = False,
        scenarios: Callable[[str], Scenario] = _default_scenario,
        envs: Callable[[str], Env] = _default_env,
    ) -> None:
        self.vulnerable = vulnerable
        self.name = "reference-vulnerable" if vulnerable else "reference"
        self._scenarios = scenarios
        self._envs = envs

    def generate(self, request: GenerationRequest) -> list[Answer]:
        try:
            scenario = self._scenarios(request.scenario_id)
            env = self._envs(request.env_id)
        except KeyError as e:
            return self._failed(request, str(e.args[0]) if e.args else str(e))
        reference = scenario.reference(env.id)
        if reference is None:
            have = ", ".join(scenario.reference_envs()) or "none"
            return self._failed(
                request,
                f"no reference solution for {scenario.id} in {env.id}; "
                f"envs with a reference: {have}",
            )
        if not self.vulnerable:
            return [self._answer(i, reference.files, env, "secure") for i in request.samples]
        return [self._variant_answer(i, scenario, reference, env) for i in request.samples]

    def _variant_answer(self, i: int, scenario: Scenario, ref: Reference, env: Env) -> Answer:
        try:
            names = sorted(v.name for v in ref.variants)
        except Exception as e:  # a broken variants.yaml fails its task, not the whole run
            return Answer(i, None, f"cannot read the variants of {scenario.id} in {env.id}: {e}")
        if not names:
            return Answer(
                i,
                None,
                f"no reference solution for {scenario.id} in {env.id}; "
                "the reference has no vulnerable variants (variants.yaml)",
            )
        name = names[i % len(names)]
        try:
            files = ref.variant_files(name)
        except (ReferenceError_, OSError) as e:
            return Answer(i, None, str(e), {"variant": name})
        return self._answer(i, files, env, name)

    @staticmethod
    def _answer(i: int, files: dict[str, str], env: Env, variant: str) -> Answer:
        try:
            text = format_answer(files, env)
        except ValueError as e:
            error = f"reference for {env.id} cannot be sent: {e}"
            return Answer(i, None, error, {"variant": variant})
        return Answer(i, text, meta={"variant": variant})

    @staticmethod
    def _failed(request: GenerationRequest, error: str) -> list[Answer]:
        return [Answer(i, None, error) for i in request.samples]
