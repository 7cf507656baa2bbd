// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gpl_probe OBJ: for every helper the programs of OBJ call, ask the
 * running kernel whether it keeps the helper to GPL-compatible programs.
 * Each helper is loaded alone ("call N; r0 = 0; exit") in a program of
 * the same type and attach type, under a non-GPL licence: the verifier
 * checks the licence before the arguments, so "GPL-restricted" in its log
 * is the kernel's own answer (gpl_only in the helper's proto), and any
 * other refusal means the helper is open to every licence.
 *
 * The helpers are read from every code section of the ELF file, so that
 * subprograms count (libbpf shows a program without them before load);
 * each is probed under the type of every program of OBJ, and is "gpl"
 * when one of them says so.
 *
 * gpl_probe --license STRING: "gpl-compatible" when the kernel lets a
 * program under that licence call a GPL-only helper (bpf_fib_lookup from
 * XDP), "not gpl-compatible" otherwise.
 *
 * Prints "prog NAME TYPE" per program, "helper ID gpl|any|unknown" per
 * helper and "kfunc NAME" per kernel function called (kfuncs need a
 * GPL-compatible program whatever they are).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

static char log_buf[65536];

static const char *probe(enum bpf_prog_type type, enum bpf_attach_type attach, int id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = attach,
		    .log_buf = log_buf,
		    .log_size = sizeof(log_buf),
		    .log_level = 1);
	int fd;

	log_buf[0] = '\0';
	fd = bpf_prog_load(type, "gpl_probe", "Proprietary", insns, 3, &opts);
	if (fd >= 0) {
		close(fd);
		return "any";
	}
	if (strstr(log_buf, "GPL-restricted"))
		return "gpl";
	if (strstr(log_buf, "unknown func") || strstr(log_buf, "cannot use helper") ||
	    strstr(log_buf, "invalid func"))
		return "unknown";
	return "any";
}

static const char *probe_license(const char *license)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_fib_lookup },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .log_buf = log_buf,
		    .log_size = sizeof(log_buf),
		    .log_level = 1);
	int fd;

	log_buf[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "gpl_probe", license, insns, 3, &opts);
	if (fd >= 0)
		close(fd);
	if (strstr(log_buf, "GPL-restricted"))
		return "not gpl-compatible";
	/* Past the licence check the verifier stops at the arguments. */
	if (strstr(log_buf, "fib_lookup"))
		return "gpl-compatible";
	return "unknown";
}

/* Helper ids (seen[id] = 1) and kfunc names of every code section. */
static int scan_elf(const char *path, char *seen, int max)
{
	Elf_Scn *scn = NULL;
	size_t strndx;
	Elf *elf;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &strndx)) {
		close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data = elf_getdata(scn, NULL);
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !data)
			continue;
		if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR)) {
			const struct bpf_insn *insn = data->d_buf;
			size_t i, n = data->d_size / sizeof(*insn);

			for (i = 0; i < n; i++)
				if (insn[i].code == (BPF_JMP | BPF_CALL) && insn[i].src_reg == 0 &&
				    insn[i].imm > 0 && insn[i].imm < max)
					seen[insn[i].imm] = 1;
		} else if (sh.sh_type == SHT_REL) {
			/* A call through a relocation to an undefined symbol is a kfunc. */
			Elf_Scn *code = elf_getscn(elf, sh.sh_info);
			Elf_Scn *symscn = elf_getscn(elf, sh.sh_link);
			Elf_Data *cdata = code ? elf_getdata(code, NULL) : NULL;
			Elf_Data *sdata = symscn ? elf_getdata(symscn, NULL) : NULL;
			GElf_Shdr csh, ssh;
			size_t i, n = sh.sh_size / sh.sh_entsize;

			if (!cdata || !sdata || !gelf_getshdr(code, &csh) ||
			    !gelf_getshdr(symscn, &ssh) || !(csh.sh_flags & SHF_EXECINSTR))
				continue;
			for (i = 0; i < n; i++) {
				const struct bpf_insn *insn;
				GElf_Rel rel;
				GElf_Sym sym;

				if (!gelf_getrel(data, i, &rel) ||
				    rel.r_offset + sizeof(*insn) > cdata->d_size ||
				    !gelf_getsym(sdata, GELF_R_SYM(rel.r_info), &sym))
					continue;
				insn = (const struct bpf_insn *)((char *)cdata->d_buf + rel.r_offset);
				if (insn->code == (BPF_JMP | BPF_CALL) && sym.st_shndx == SHN_UNDEF)
					printf("kfunc %s\n", elf_strptr(elf, ssh.sh_link, sym.st_name));
			}
		}
	}
	elf_end(elf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	char seen[1024] = {};
	int id;

	if (argc == 3 && !strcmp(argv[1], "--license")) {
		const char *v = probe_license(argv[2]);

		printf("%s\n", v);
		return !strcmp(v, "unknown");
	}
	if (argc != 2) {
		fprintf(stderr, "usage: gpl_probe OBJ.bpf.o | --license STRING\n");
		return 2;
	}
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || scan_elf(argv[1], seen, sizeof(seen))) {
		fprintf(stderr, "gpl_probe: cannot read %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		printf("prog %s %s\n", bpf_program__name(prog),
		       libbpf_bpf_prog_type_str(bpf_program__type(prog)));
	for (id = 1; id < (int)sizeof(seen); id++) {
		const char *verdict = "unknown";

		if (!seen[id])
			continue;
		bpf_object__for_each_program(prog, obj) {
			const char *v = probe(bpf_program__type(prog),
					      bpf_program__expected_attach_type(prog), id);

			if (!strcmp(v, "gpl") || !strcmp(verdict, "unknown"))
				verdict = v;
			if (!strcmp(v, "gpl"))
				break;
		}
		printf("helper %d %s\n", id, verdict);
	}
	bpf_object__close(obj);
	return 0;
}
