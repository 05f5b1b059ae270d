# bench_vitb_ft_runner.py with the training forward and backward compiled
# into CUDA graphs (torch.compile mode 'reduce-overhead', the finetuning
# schedule's default): each step's kernels are launched as two graphs
# instead of one by one from the host.
_base_ = ['./bench_vitb_ft_runner.py']
compile = dict(_delete_=True, mode='reduce-overhead')
